"""An application's biodiversity submission, read and checked: the files an applicant sends.

Not pure (it reads folders, zips, workbooks and maps): it joins :mod:`bng.planning`'s rules to
the readers that already exist — ``bng.workbook``'s metric check, ``bng.gis``'s validation and
reconciliation, the register's records (through :class:`~bng.submission.records.Records`) — and
writes reports and documents through :mod:`bng.documents`.
"""
