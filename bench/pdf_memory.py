"""What drives the Typst compiler's peak memory on the synthetic forum's booklet: run by hand.

    .venv/bin/python bench/pdf_memory.py                  # the booklet as shipped and each variant, 3 times
    .venv/bin/python bench/pdf_memory.py --sessions 200,300,400 --only shipped,before
    .venv/bin/python bench/pdf_memory.py --threads 0      # a layout thread per CPU: the peak varies
    .venv/bin/python bench/pdf_memory.py --only shipped   # the booklet as shipped alone
    .venv/bin/python bench/pdf_memory.py --json saved.json --keep   # reuse a booklet's JSON, keep the PDFs

The booklet is laid out by ``sessions/pdf/typst_compile.py`` in a child process (see
``sessions/pdf/render.py``); ``bench/pdf.py`` measures that whole render. This script measures the
compiler alone, on the JSON the render gives it for the synthetic forum (``make_synthetic_forum``, 300
sessions, in a throwaway SQLite database), once with ``typst/programme.typ`` as shipped and once with
each variant below: the same source (or the compiler's script) with one feature taken out or one
change undone, so that what each costs in memory can be read off. The variants are for measuring only;
none is a layout to ship.

With the C library's threshold for mapping large blocks left to move (glibc's default; variant ``moving
threshold``), the peak also moved by tens of MiB with changes that leave the PDF the same: comments in
the source, or the same forum built in another database (other record ids in the labels). The compiler
fixes that threshold (``typst_compile.keep_large_blocks_mapped``), and the peak then follows the size of
the booklet; still, compare over several sizes (``--sessions``) before concluding.

Each compile runs in a process of its own; its peak resident set size and CPU time are those the system
gives for that process when it ends (``os.wait4``), its pages are counted in the PDF it writes.

The portal's compiler lays out one page run (a booklet has one per roundtable) at a time
(``typst_compile.LAYOUT_THREADS``), and its peak is then the same in every compile of the same JSON.
``--threads 0`` gives it a thread per CPU, as Typst would by default: which runs are in memory at the
same time then changes from one compile to the next, and so does the peak, by 20-30 MiB.

Variant ``before`` is the booklet as it was before this work on memory: a ``grid`` in the footer, a
``pad`` around each entry of the contents and of the programme at a glance, each roundtable laid
straight onto its pages rather than in a block, and the allocator's moving threshold. It gives the same
PDF, byte for byte, with a higher peak; so do ``no run block``, ``run block of its width`` and ``moving
threshold``, which each undo one of those changes.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import pdf as pdf_bench  # noqa: E402  (bench/pdf.py: its throwaway database and synthetic forum)

SOURCE_DIR = ROOT / "sessions" / "pdf" / "typst"
COMPILER = ROOT / "sessions" / "pdf" / "typst_compile.py"
FONTS = ROOT / "static" / "fonts"

FOOTER_NUMBER = 'else if piece.counter == "page" { counter(page).display() }'
FOOTER_TOTAL = "else { str(counter(page).final().first()) }"
PAGE_OF = "#let page-of(target) = context counter(page).at(label(target)).first()"
CONTENTS_LINK = "inset: (left: indent),\n    link(label(target), {"
GLANCE_LINK = "link(label(item.target), [#item.code #txt(item.title)#room#draft~·~#labels.page~#page-of(item.target)])"

RUN_BLOCK = "block(breakable: true, width: 100%, above: 0pt, below: 0pt, body)"
RUN_WIDTH = "block(breakable: true, above: 0pt, below: 0pt, body)"
MAPPED = "def main(argv):\n    keep_large_blocks_mapped()\n"
NOT_MAPPED = "def main(argv):\n"

# The footer, and the entries of the contents and of the programme at a glance, as they are and as they were.
FOOTER_NOW = """#let footer-pieces = context {
  for piece in labels.footer {
    if type(piece) == str { piece }
    else if piece.counter == "page" { counter(page).display() }
    else { str(counter(page).final().first()) }
  }
}
#let footer-text = {
  place(left, text(size: 7.5pt, style: "italic", fill: amber, labels.preview))
  align(right, text(size: 8pt, fill: grey, footer-pieces))
}"""
FOOTER_BEFORE = """#let footer-text = context {
  let pieces = for piece in labels.footer {
    if type(piece) == str { piece }
    else if piece.counter == "page" { counter(page).display() }
    else { str(counter(page).final().first()) }
  }
  grid(
    columns: (1fr, auto),
    text(size: 7.5pt, style: "italic", fill: amber, labels.preview),
    text(size: 8pt, fill: grey, pieces),
  )
}"""
ENTRY_NOW = """    above: if bold { 3mm } else { 0.6mm }, below: 0.6mm, sticky: bold, inset: (left: indent),
    link(label(target), {
      if bold { text(weight: 700, fill: navy, body) } else { body }
      box(width: 1fr, inset: (x: 1mm), repeat(gap: 0.8mm, text(fill: grey, ".")))
      page-of(target)
    }),"""
ENTRY_BEFORE = """    above: if bold { 3mm } else { 0.6mm }, below: 0.6mm, sticky: bold,
    pad(left: indent, link(label(target), {
      if bold { text(weight: 700, fill: navy, body) } else { body }
      box(width: 1fr, inset: (x: 1mm), repeat(gap: 0.8mm, text(fill: grey, ".")))
      page-of(target)
    })),"""
GLANCE_NOW = """          block(above: 0.6mm, below: 0.6mm, inset: (left: 7mm), {
            if item.target != "" {
              link(label(item.target), [#item.code #txt(item.title)#room#draft~·~#labels.page~#page-of(item.target)])
            } else { [#txt(item.title)#room#draft] }
          })"""
GLANCE_BEFORE = """          block(above: 0.6mm, below: 0.6mm, pad(left: 7mm, {
            if item.target != "" {
              link(label(item.target), [#item.code #txt(item.title)#room#draft~·~#labels.page~#page-of(item.target)])
            } else { [#txt(item.title)#room#draft] }
          }))"""

# name: (what is taken out, [(text of programme.typ, what replaces it), ...][, the same for typst_compile.py])
VARIANTS = {
    "shipped": ("nothing: typst/programme.typ and typst_compile.py as they are", []),
    "before": (
        "nothing; as before this issue's memory work: the footer in a grid, the entries in a pad, each roundtable"
        " laid straight onto its pages, the allocator's moving threshold",
        [(FOOTER_NOW, FOOTER_BEFORE), (ENTRY_NOW, ENTRY_BEFORE), (GLANCE_NOW, GLANCE_BEFORE), (RUN_BLOCK, "body")],
        [(MAPPED, NOT_MAPPED)],
    ),
    "no run block": (
        "nothing; each roundtable laid straight onto its pages, not in a block",
        [(RUN_BLOCK, "body")],
    ),
    "run block of its width": (
        "nothing; the roundtable's block as wide as what it holds (laid out again to even its pages' widths)",
        [(RUN_BLOCK, RUN_WIDTH)],
    ),
    "moving threshold": (
        "nothing; the C library's threshold for mapping large blocks left to move (glibc's default)",
        [],
        [(MAPPED, NOT_MAPPED)],
    ),
    "no page total": (
        'the footer\'s page total ("Page 3", not "Page 3 of 189")',
        [(FOOTER_TOTAL, 'else { "" }')],
    ),
    "no footer numbers": (
        "the footer's page number and total (the footer keeps its text)",
        [(FOOTER_NUMBER, 'else if piece.counter == "page" { "" }'), (FOOTER_TOTAL, 'else { "" }')],
    ),
    "no contents numbers": (
        "the page numbers of the contents and of the programme at a glance",
        [(PAGE_OF, '#let page-of(target) = ""')],
    ),
    "no internal links": (
        "the links of the contents and of the programme at a glance to their sessions",
        [
            (CONTENTS_LINK, "inset: (left: indent),\n    ({"),
            (GLANCE_LINK, "[#item.code #txt(item.title)#room#draft~·~#labels.page~#page-of(item.target)]"),
        ],
    ),
    "no introspection": (
        "every page number and page reference: footer, contents, programme at a glance",
        [
            (FOOTER_NUMBER, 'else if piece.counter == "page" { "" }'),
            (FOOTER_TOTAL, 'else { "" }'),
            (PAGE_OF, '#let page-of(target) = ""'),
            (CONTENTS_LINK, "inset: (left: indent),\n    ({"),
            (GLANCE_LINK, "[#item.code #txt(item.title)#room#draft~·~#labels.page~#page-of(item.target)]"),
        ],
    ),
}


def booklet_json(sessions, language):
    """The JSON ``render.compile_pdf`` gives the compiler for the synthetic forum's booklet, as bytes."""
    from django.utils import translation

    from sessions.pdf import content
    from sessions.pdf.document import document_data

    forum, _builder = pdf_bench._large_forum(sessions)
    export = content.export_for(content.BOOKLET, forum, language=language)
    with translation.override(export.language):
        data = document_data(export, content.template_context(export))
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _changed_copy(original, copy, changes, name):
    """``original`` written to ``copy`` with each (old, new) of ``changes`` made."""
    text = original.read_text(encoding="utf-8")
    for old, new in changes:
        if old not in text:
            raise SystemExit(f"Variant {name!r}: {original.name} no longer holds {old!r}; update bench/pdf_memory.py.")
        text = text.replace(old, new)
    copy.write_text(text, encoding="utf-8")


def variant_source(name, folder):
    """A copy of ``typst/`` in ``folder`` with ``programme.typ`` changed as variant ``name`` says, and the
    compiler's script (changed, or not): (source, compiler)."""
    shutil.copytree(SOURCE_DIR, folder)
    source = folder / "programme.typ"
    _changed_copy(SOURCE_DIR / "programme.typ", source, VARIANTS[name][1], name)
    compiler_changes = VARIANTS[name][2] if len(VARIANTS[name]) > 2 else []
    if not compiler_changes:
        return source, COMPILER
    compiler = folder.parent / f"{folder.name}-typst_compile.py"
    _changed_copy(COMPILER, compiler, compiler_changes, name)
    return source, compiler


def compile_once(source, compiler, payload, threads, output):
    """Compile ``source`` with ``compiler`` (a ``typst_compile.py``) and the booklet's JSON in a child process, the
    PDF to ``output``: (peak RSS MiB, CPU s, wall s)."""
    env = dict(os.environ)
    env.pop("RAYON_NUM_THREADS", None)
    env.pop("MALLOC_MMAP_THRESHOLD_", None)
    if threads is not None:
        env["RAYON_NUM_THREADS"] = str(threads or os.cpu_count())
    started = time.perf_counter()
    with open(output, "wb") as pdf_file:
        child = subprocess.Popen(
            [sys.executable, "-I", str(compiler), str(source), str(FONTS)],
            stdin=subprocess.PIPE,
            stdout=pdf_file,
            stderr=subprocess.PIPE,
            env=env,
        )
        child.stdin.write(payload)
        child.stdin.close()
        errors = child.stderr.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{source}: Typst failed: {errors.decode('utf-8', 'replace')}")
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, wall


def _measure(label, payload, names, args, workdir):
    """Compile each variant ``args.repeat`` times on ``payload``; print a table; {variant: figures}."""
    from pypdf import PdfReader

    print(f"\n{label}: booklet JSON {len(payload):,} bytes")
    header = (
        f"{'variant':<22} {'peak RSS, MiB: min':>19} {'median':>7} {'max':>6} {'CPU s':>7} {'wall s':>7} {'pages':>6}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for name in names:
        stem = f"{label}-{name}".replace(" ", "-")
        source, compiler = variant_source(name, workdir / stem)
        runs = [
            compile_once(source, compiler, payload, args.threads, workdir / f"{stem}-{n}.pdf")
            for n in range(args.repeat)
        ]
        peaks = [run[0] for run in runs]
        pages = len(PdfReader(workdir / f"{stem}-0.pdf").pages)
        results[name] = {"peaks_mib": peaks, "cpu_seconds": [run[1] for run in runs], "pages": pages}
        print(
            f"{name:<22} {min(peaks):>19.0f} {statistics.median(peaks):>7.0f} {max(peaks):>6.0f}"
            f" {statistics.median(run[1] for run in runs):>7.2f} {statistics.median(run[2] for run in runs):>7.2f}"
            f" {pages:>6}",
            flush=True,
        )
    if "shipped" in results:
        shipped = statistics.median(results["shipped"]["peaks_mib"])
        changes = ", ".join(
            f"{name} {statistics.median(results[name]['peaks_mib']) - shipped:+.0f}"
            for name in names
            if name != "shipped"
        )
        print(f"Median peak, MiB, against the booklet as shipped ({shipped:.0f}): {changes}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sessions", default="300", help="sessions of the synthetic forum; several, comma-separated (default 300)"
    )
    parser.add_argument("--language", default="en", choices=["en", "fr", "es"])
    parser.add_argument("--repeat", type=int, default=3, help="compiles per variant (default 3)")
    parser.add_argument(
        "--threads", type=int, help="layout threads (default: as the portal renders, 1; 0: one per CPU)"
    )
    parser.add_argument("--only", default="", help=f"variants, comma-separated, of: {', '.join(VARIANTS)}")
    parser.add_argument("--json", type=Path, help="a booklet's JSON written by an earlier run (--keep)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (JSON, PDFs)")
    args = parser.parse_args()
    names = [name.strip() for name in args.only.split(",") if name.strip()] or list(VARIANTS)
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants: {', '.join(unknown)}")
    sizes = [int(size) for size in args.sessions.split(",")]

    from importlib import metadata

    from sessions.pdf import typst_compile

    with pdf_bench.temporary_folder("gfmd-bench-pdf-memory-", keep=args.keep) as workdir:
        if args.threads is None:
            threads = f"{typst_compile.LAYOUT_THREADS}, as the portal renders"
        else:
            threads = args.threads or f"one per CPU ({os.cpu_count()})"
        print(f"typst {metadata.version('typst')}; layout threads: {threads}; {os.cpu_count()} CPUs")
        print(f"Load average {pdf_bench._load()} before.")
        if args.json:
            booklets = [(args.json.name, args.json.read_bytes())]
        else:
            pdf_bench._setup(workdir)
            booklets = [(f"{size} sessions", booklet_json(size, args.language)) for size in sizes]
        results = {}
        for label, payload in booklets:
            (workdir / f"{label.replace(' ', '-')}.json").write_bytes(payload)
            results[label] = _measure(label, payload, names, args, workdir)
        print(f"\nLoad average {pdf_bench._load()} after.")
        print("Each variant:")
        for name in names:
            print(f"  {name}: {VARIANTS[name][0]}")
        out = ROOT / "bench" / "results" / f"pdf-memory-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"threads": args.threads, "results": results}, indent=2), encoding="utf-8")
        print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
