"""Assembly time: the 2021 report from the example answers against a plain python-docx script.

Run: ``python bench/assemble.py [--repeat 20]``. Times ``assemble()`` on the 2021 example (cover, all
narratives, tables 二/三/四 with their merged cells, styles, page numbers) and, in the same run, a plain
python-docx script that writes the same three tables (same cells, same merges, same texts) into a blank
document and nothing else. Prints the best time of each and their ratio (the aim is ≤ 1.5×).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

# Run as a script, this folder would come first on sys.path; keep imports resolving to the project.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import docx  # noqa: E402

from workflows.arithmetic import check_answers  # noqa: E402
from workflows.assembly.document import assemble  # noqa: E402
from workflows.assembly.word_tables import _band_cells  # noqa: E402
from workflows.files import read_answers_file, read_profile  # noqa: E402
from workflows.loader import load_template  # noqa: E402
from workflows.numbers import format_number  # noqa: E402

EXAMPLES = _HERE.parent / "examples" / "2021"


def best(action: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Time both and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    template = load_template("gov-disclosure-2021")
    answers = read_answers_file(EXAMPLES / "answers.yaml")
    previous = read_answers_file(EXAMPLES / "previous.yaml")
    profile = read_profile(EXAMPLES / "organisation.yaml")
    figures = check_answers(template, answers, previous).figures

    def value(name: str) -> str | None:
        found = figures.values.get(name)
        return None if found is None else found if isinstance(found, str) else format_number(found)

    # The tables' cells, worked out once: the plain script gets them ready-made and only writes them.
    tables = []
    for section in template.walk_sections():
        for block in section.blocks:
            if block.kind == "table" and block.table is not None:
                cells, top = [], 0
                for band in block.table.bands:
                    band_cells, top = _band_cells(band, top, block.table.width, value, lambda text: text)
                    cells += band_cells
                tables.append((top, block.table.width, cells))

    def plain() -> None:
        document = docx.Document()
        for rows, cols, cells in tables:
            table = document.add_table(rows=rows, cols=cols)
            table.style = document.styles["Table Grid"]
            grid = [row.cells for row in table.rows]  # read once, before any merge changes the grid
            for spec in cells:
                grid[spec.row][spec.col].text = spec.text
            for spec in cells:
                if spec.rowspan > 1 or spec.colspan > 1:
                    last = grid[spec.row + spec.rowspan - 1][spec.col + spec.colspan - 1]
                    grid[spec.row][spec.col].merge(last)

    def ours() -> None:
        assemble(template, figures, profile.values, 2021, date(2022, 1, 20), profile.owners)

    ours(), plain()  # warm up imports and caches
    ours_s, plain_s = best(ours, args.repeat), best(plain, args.repeat)
    print(f"assemble() 2021 report:        {ours_s * 1000:7.1f} ms")
    print(f"plain python-docx, 3 tables:   {plain_s * 1000:7.1f} ms")
    print(f"ratio:                         {ours_s / plain_s:7.2f}×")


if __name__ == "__main__":
    main()
