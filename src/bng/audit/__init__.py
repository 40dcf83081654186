"""The national audit (``bng audit``): many workbooks and maps checked into one report that survives an interruption.

Every metric workbook and GeoPackage pair in folders or zips is recalculated and checked on a Dask cluster.

It reuses what checks one file (``bng.workbook.check.check_workbook``; ``bng.gis.workflow.load_maps``
and the metric engine for maps) and adds only what thousands of files need: finding them
(:mod:`.sources`), running each on a worker where nothing it does can stop the run (:mod:`.task`),
a journal that a second run resumes from (:mod:`.journal`), the Dask side (:mod:`.run`) and the
report (:mod:`.report`). Not to be confused with ``bng.register.core.audit``, the register's audit log.
"""
