"""An unchanged Python program: python-plexapi's invite round, run with nothing but the
variables of mockplex's env file (plex.tv and the server's plex.direct names through the
proxy, trusting mockplex's CA). Prints what it saw as a JSON line.

Usage: python_invites.py OWNER_TOKEN FRIEND_TOKEN FRIEND_USERNAME MACHINE_ID: the owner
invites the friend to the server (``inviteFriend``, with its first section), the friend
lists its pending invites and accepts the owner's (``acceptInvite``), lists its
resources and connects to the server, then the owner removes the friend
(``removeFriend``) and the friend lists its resources again.
"""

import json
import sys

from plexapi.myplex import MyPlexAccount

TIMEOUT = 10


def main(owner_token, friend_token, friend_name, machine_id):
    owner = MyPlexAccount(token=owner_token, timeout=TIMEOUT)
    friend = MyPlexAccount(token=friend_token, timeout=TIMEOUT)
    server = owner.resource(next(r.name for r in owner.resources()
                                 if r.clientIdentifier == machine_id))
    first = server.connect(timeout=TIMEOUT).library.sections()[0]
    owner.inviteFriend(friend_name, machine_id, sections=[first.title])
    pending = friend.pendingInvites(includeSent=False)
    seen = {"pending": [[i.username, [s.name for s in i.servers]] for i in pending]}
    friend.acceptInvite(pending[0].username)
    [resource] = friend.resources()
    pms = resource.connect(timeout=TIMEOUT)
    seen.update(resource=[resource.name, resource.owned],
                machineIdentifier=pms.machineIdentifier,
                sections=[s.title for s in pms.library.sections()],
                friends=[u.username for u in owner.users()])
    owner.removeFriend(friend_name)
    seen["after"] = [r.name for r in friend.resources()]
    print(json.dumps(seen))


if __name__ == "__main__":
    main(*sys.argv[1:])
