"""The charts' colours (Okabe-Ito: distinguishable with the common forms of colour blindness).

Apart from ``reports.charts`` so that a page can take them without importing Altair, which
costs a few hundred milliseconds of a first page that draws no chart (Home).
"""

from __future__ import annotations

AREA_COLOUR = "#0072B2"
REGION_COLOUR = "#E69F00"
ENGLAND_COLOUR = "#000000"
NEIGHBOUR_COLOUR = "#009E73"
PALETTE = ["#0072B2", "#E69F00", "#000000", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
