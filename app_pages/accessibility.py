"""Accessibility statement, in the structure of the GOV.UK model statement for public sector
websites: compliance status, what is not accessible, how to report a problem, the
enforcement procedure, and how the app was tested."""

from __future__ import annotations

from ui import glossed

glossed.title("Accessibility statement for SEND Lens")
glossed.markdown(
    """
SEND Lens is used by local authorities, health partners, parent carer forums and young people
to look at a local area's data about special educational needs and disabilities (SEND). We
want as many people as possible to be able to use it. You should be able to:

- change colours, contrast levels and fonts using your browser or device settings
- move through every page using just a keyboard
- read every chart as a table of the same figures, with a title that says what it shows
- tell every rating (Red, Amber, Green) by its word and shape, not only its colour
- use the app on a laptop with no internet connection: nothing is fetched from other sites

[AbilityNet](https://mcmw.abilitynet.org.uk/) has advice on making your device easier to use
if you have a disability.
"""
)

glossed.header("How accessible this app is")
glossed.markdown(
    """
We know some parts of SEND Lens are not fully accessible:

- tables are drawn by Streamlit's data grid, which a screen reader reads cell by cell with
  fewer announcements than an ordinary web table; every table can be downloaded as a CSV file
- the map is a picture drawn on a canvas: a screen reader cannot read it, and it cannot be
  used by keyboard alone; the same figures are in the table beside it and in the download
- some chart tooltips appear only when a pointer moves over a chart; the figures in them are
  also in the chart's table
"""
)

glossed.header("Feedback and contact information")
glossed.markdown(
    """
If you need information from SEND Lens in a different format, or find a problem not listed
on this page, contact the team that runs SEND Lens for your area (your council's or
partnership's SEND data or performance team). Tell them the page, what you were trying to do
and the device and assistive technology you use. We aim to reply within 5 working days.
"""
)

glossed.header("Enforcement procedure")
glossed.markdown(
    """
The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector
Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the
'accessibility regulations'). If you are not happy with how we respond to your complaint,
[contact the Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/).
"""
)

glossed.header("Technical information about this app's accessibility")
glossed.markdown(
    """
The organisations running SEND Lens are committed to making it accessible, in accordance with
the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations
2018.

**Compliance status.** This app is partially compliant with the
[Web Content Accessibility Guidelines version 2.2](https://www.w3.org/TR/WCAG22/) AA standard,
due to the non-compliances listed below.
"""
)

glossed.subheader("Non-accessible content")
glossed.markdown(
    """
**Non-compliance with the accessibility regulations**

- The map cannot be operated with a keyboard or read by a screen reader (WCAG 2.2 success
  criteria 1.1.1 Non-text content and 2.1.1 Keyboard). Its figures are given in a table and a
  download on the same page.
- Tooltips in charts appear on pointer hover only (1.4.13 Content on hover or focus); their
  figures are in each chart's table.
- Tables in Streamlit's data grid give a screen reader less structure than an HTML table
  (1.3.1 Info and relationships); every table can be downloaded as a CSV file.

We plan to replace these where Streamlit allows it, and to review this statement when we do.
"""
)

glossed.header("How we tested this app")
glossed.markdown(
    """
Every change to SEND Lens is tested automatically before it is merged:

- **axe-core** (an automated accessibility checker) runs on every page and every tab, for
  three local areas with different data (Bradford, Shropshire and Westminster), in a real
  browser at 1280 by 720 pixels; any serious or critical finding fails the build
- a **keyboard-only test** chooses an area, moves between pages, opens a tab and reaches a
  download button using only the Tab and Enter keys, and checks that the focused element is
  visibly marked each time
- a test checks that loading every page sends **no request to another website**

Zooming to 400% and reflow (WCAG 1.4.10) have not been tested yet. Automated tools find only
some accessibility problems. SEND Lens has not yet been tested by
an accessibility auditor or by people using screen readers; when it is, this statement will
say so.
"""
)

glossed.header("Preparation of this accessibility statement")
glossed.markdown(
    "This statement was prepared on 3 December 2026. It was last reviewed on 3 December 2026."
)
