"""Reports: tables, charts (SVG drawn on the server) and CSV, from the ``reports`` hook."""
