"""Print-ready PDFs of the programme: the forum's booklet and the roundtable and session handouts.

One module per job, each importing only those above it in this list:

- ``content``: what a PDF shows (``Export``: which booklet or handout, in which language, public or a
  staff preview), the programme it reads through the selectors and presenters;
- ``document``: that programme as one JSON document, its labels translated, its Markdown as blocks;
- ``render``: the JSON laid out by Typst (``typst/programme.typ``, compiled by ``typst_compile.py``
  in a child process) into a tagged PDF/UA-1 with the Noto Sans files of ``static/fonts/`` embedded;
- ``store``: the public PDFs on disk under ``MEDIA_ROOT/pdf-cache/``, one file per (kind, record,
  language, programme version), written atomically under a render lock per PDF;
- ``tasks``: the task queue's side, what the worker (``manage.py db_worker``) renders and when;
- ``responses``: the HTTP answers, a PDF from disk, the stale file or the 503 "being prepared" page
  meanwhile, previews rendered for the request, downloads and ZIP files for the admin.

A web request never lays out a public PDF: a booklet of a few hundred sessions takes seconds, and
its compiler hundreds of MiB of memory; the queue's worker does.
"""
