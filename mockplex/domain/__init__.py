"""The domain: what the mock holds and the rules it keeps, with no web framework in it.

The store (:mod:`.store`, the one lock and the front every side calls) over the pins
(:mod:`.pins`: codes, ids and a pin's lifetime), the accounts and their tokens, the
fake servers and shares, the clock, the journal, injected faults, unattended approval,
the problems a test must hear about; which hosts are plex.tv's and what happens to a
request for each (:mod:`.hosts`); yes or no (:mod:`.flags`); the base of every error
(:mod:`.errors`); the default address and the control prefix (:mod:`.paths`); every
cap (:mod:`.limits`); ids, X-Plex values, printable text and private files.

May import: the standard library, and this folder. No Flask, werkzeug, waitress or
marshmallow (tests/test_layers.py holds every module here to that).
"""
