"""Compile a programme PDF with Typst in a process of its own: JSON on stdin, the PDF on stdout.

    python typst_compile.py <source.typ> <fonts folder>  < document.json  > programme.pdf

``render`` runs this script as a child process, with nothing but the standard library and the typst
package imported (no Django, no database connection). The compiler keeps everything it has laid out
in memory for as long as its process lives (about 260 MiB after a 300-session booklet, and more
after each other PDF): in a child, all of it goes back to the system when the PDF is written, and
the worker or web process that asked for the PDF stays as small as it was.

The compiler reads only the folder of the source (its root) and the fonts folder; the JSON goes in
as ``sys.inputs.data``. On a Typst error the script writes the message to stderr and exits with 1.

The compiler lays out one page run at a time (``LAYOUT_THREADS``, unless ``RAYON_NUM_THREADS`` is set
in the environment). With a thread per CPU it lays out several runs (a booklet has one per
roundtable) at once, and which of them are in memory together changes from one compile to the next:
with the layout of the time, the 300-session booklet peaked anywhere between 316 and 346 MiB in five
identical compiles, and at 314-315 MiB every time with one thread, for the same CPU time (about
1.3 s) and 0.3-0.4 s more wall time, in a worker that renders in the background
(``bench/pdf_memory.py``).

The C library's allocator maps every block of ``MMAP_THRESHOLD`` bytes or more on its own, and gives
it back to the system when it is freed (``keep_large_blocks_mapped``). By default glibc raises that
threshold each time such a block is freed, after which the compiler's large growing vectors (its
frames' items, its caches' tables) are carved out of the heap, where what they leave behind when
they grow is kept: the peak then depended on where those vectors happened to fall, and moved by tens
of MiB between booklets of almost the same size, or the same booklet in another language. With the
threshold fixed, the 300-session booklet peaks at about 262 MiB instead of 297 (in French 266 instead
of 300), for about the same CPU time (within 0.1 s). An operator's ``MALLOC_MMAP_THRESHOLD_`` is kept.
"""

import os
import sys
from pathlib import Path

LAYOUT_THREADS = "1"
MMAP_THRESHOLD = 128 * 1024  # bytes; glibc's own starting value, kept fixed
M_MMAP_THRESHOLD = -3  # mallopt's number for that setting (glibc's malloc.h)


def keep_large_blocks_mapped():
    """Fix the allocator's threshold for mapping a block on its own at ``MMAP_THRESHOLD`` (see above), unless
    the operator set ``MALLOC_MMAP_THRESHOLD_``. Where the C library has no ``mallopt``, nothing changes."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def main(argv):
    keep_large_blocks_mapped()
    # Read once, when the compiler first lays something out: set before typst is imported.
    os.environ.setdefault("RAYON_NUM_THREADS", LAYOUT_THREADS)
    import typst

    source, fonts_dir = argv[1], argv[2]
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[fonts_dir])
    compiler = typst.Compiler(root=str(Path(source).parent), font_paths=fonts, ignore_system_fonts=True)
    data = sys.stdin.buffer.read().decode("utf-8")
    try:
        pdf = compiler.compile(input=source, format="pdf", sys_inputs={"data": data}, pdf_standards=["ua-1"])
    except typst.TypstError as error:
        sys.stderr.write(f"{error.message}\n{error.diagnostic}\n")
        return 1
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
