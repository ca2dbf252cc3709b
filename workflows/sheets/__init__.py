"""The report's tables as an Excel/WPS workbook: built for a department, filled in an office, read back.

``layout`` decides where every cell goes, ``build`` writes the workbook, ``marker`` is the hidden sheet
that says whose file it is, ``read`` opens an uploaded file without trusting it, and ``upload`` saves
what it holds through the batch service, exactly as if typed.
"""
