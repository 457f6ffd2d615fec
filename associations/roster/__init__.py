"""Roster import: a county's association roster, as township offices and open-data portals publish it, read
into the registry, on the import pipeline (`core.imports.pipeline`), by stage:

* `columns`: the headers read for each column, shared with the export (`associations.exports`);
* `cleaning`: each row read into clean values, with the county's geography in memory;
* `planning`: rows matched to the stored associations and officers, the plan of what to create and change;
* `writing`: the plan written in bulk, with history naming the import's record;
* `dataset`: `RosterImport`, the dataset import wiring them, and `roster_import`, its run.

Rules a clerk can rely on:

* A blank cell never erases what is stored; a cell that cannot be read is a warning, is left blank on a new
  association and leaves the stored value alone on an existing one.
* The name is the key: a roster that writes the name differently (台/臺, spaces, a 縣市/鄉鎮 prefix) matches
  the stored association and does not rename it.
* 理事長 / 總幹事: when the roster names someone other than the current officer, the current one's term is
  ended the day before the import (kept as a past officer, with history) and the new one starts with no
  known start date. A note in brackets (`夏金裕(黃木火代理)`, `彭智樑(補選)`) goes to the officer's note.
* Nothing is written when any row has a blocking error; every run, written or not, leaves an ImportRecord.
"""
