"""Reports: serializers of a loaded run folder (console tables, the HTML page and its SVG charts) and the
paired comparison of two variants with its page."""
