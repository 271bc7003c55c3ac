"""The test's side: the control API under ``/_mockplex`` (:mod:`.api`, its bodies in
:mod:`.bodies`), the dashboard page (:mod:`.dashboard`), scenario files
(:mod:`.scenario`), the "mockplex saw" report (:mod:`.report`), HAR files
(:mod:`.har`) and mockplex's own OpenAPI document (:mod:`.openapi`).

May import: :mod:`mockplex.domain`, :mod:`mockplex.web` and :mod:`mockplex.plextv`
(the control API lists pins and accounts in their wire shapes).
"""
