"""The yearly compliance facts (會務財務清查): meetings, filings, elections, programmes and the board-meeting
interval, with the values that carry them, the services that write them, the pages that record them, and
the hook through which `grading` judges them."""
