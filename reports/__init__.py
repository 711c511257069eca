"""Documents and the number formatting they share: the exception report's XLSX and HTML today."""
