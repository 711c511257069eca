"""The chunk names the loader asks the browser for (``ui.element_code``)."""

from __future__ import annotations

import json
import re

from ui import element_code


def test_every_chunk_is_in_the_installed_streamlit_build():
    # A Streamlit upgrade that renames one would otherwise stop its early fetch unnoticed.
    files = element_code.chunk_files()
    assert [f.split(".")[0] for f in files] == list(element_code.CHUNKS)
    for name in files:
        assert (element_code.STATIC_JS / name).is_file()


def test_chunks_found_in_order_and_ambiguous_or_odd_names_left_out(tmp_path):
    for name in [
        "DownloadButton.Ab1_-x.js",
        "Radio.one.js",
        "Radio.two.js",  # two builds of one chunk: which the page imports is unknown
        'ArrowVegaLiteChart.x"y.js',  # would break out of the script's string
        "ArrowVegaLiteChartTooltip.h.js",  # another chunk whose name starts alike
        "ArrowVegaLiteChart.h.css",
    ]:
        (tmp_path / name).write_text("")
    assert element_code.chunk_files.__wrapped__(tmp_path) == ("DownloadButton.Ab1_-x.js",)


def test_loader_names_the_files_once_as_a_json_list_and_waits_for_the_run():
    files = ("ArrowVegaLiteChart.C1.js", "Radio.B2.js")
    script = element_code.loader_script(files)
    listed = re.search(r"for \(const file of (\[.*?\])\)", script).group(1)
    assert json.loads(listed) == list(files)
    assert script.count("Radio.B2.js") == 1
    assert '[data-test-script-state="notRunning"]' in script
    assert script.startswith("<script>") and script.endswith("</script>")
