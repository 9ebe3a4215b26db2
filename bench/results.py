"""What every bench command shares: the machine it ran on, and its own section of bench/RESULTS.md."""

import os
import re
from pathlib import Path

RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = re.compile(r"<!-- bench-run: (.*?) -->\n(.*?)<!-- /bench-run -->\n", re.DOTALL)


def machine() -> dict:
    """CPUs, memory, CPU model and the load average now (the machine is shared: read ratios)."""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total = re.search(r"MemTotal:\s+(\d+)", meminfo)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(int(total.group(1)) / 1024 / 1024, 1) if total else None,
        "cpu": model.group(1).strip() if model else "",
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def write_section(command: str, markdown: str, *, header: str = "# Bench results\n") -> None:
    """The command's section first, replacing its previous one; the head and every other section kept."""
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else header
    sections = [(match.group(1), match.group(0)) for match in SECTION.finditer(text)]
    head = SECTION.split(text)[0].rstrip() + "\n" if sections else text.rstrip() + "\n"
    mine = f"<!-- bench-run: {command} -->\n{markdown}<!-- /bench-run -->\n"
    others = [body for key, body in sections if key != command]
    RESULTS_MD.write_text(head + "\n" + "\n".join([mine, *others]))
