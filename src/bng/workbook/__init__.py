"""The official statutory metric workbook (.xlsx/.xlsm): read it into a Site, check it, write it."""
