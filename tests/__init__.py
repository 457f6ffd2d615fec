from pathlib import Path

#: Files the tests read; everything a test opens lives inside the repository (tests/data/README.md).
DATA_DIR = Path(__file__).resolve().parent / "data"
