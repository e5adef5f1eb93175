"""Reports on paper: the PDF writer (Qt), and the export buttons the pages share."""
