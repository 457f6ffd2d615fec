"""The import pipeline every spreadsheet import follows: `issues` (one problem, by row and column),
`report` (what a run read, found and wrote), `pipeline` (the dataset-import contract and the run that
reads, cleans, plans, writes and records), `command` (the management command base).
The admin's upload -> preview -> confirm page is `core.admin_imports`."""
