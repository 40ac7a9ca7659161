"""The workshop page: the framework matrix and pattern table in a browser, with comments.

Presentation only, like ``tui/``: every read and write goes through
:mod:`qualcode.services`. Needs the optional extra ``qualcode[workshop]``
(Starlette, uvicorn, segno); nothing here is imported by other commands.
"""
