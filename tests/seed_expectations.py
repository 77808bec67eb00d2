"""What a careful reader of the seed says about it, written down by hand from its headings.

Used by the extraction tests of every format. Ranges are inclusive.
"""

ALL = ("de gemeente", "Woonborg", "AH WOON", "De Volmacht", "De Deelmacht")
CORPORATIONS = ("Woonborg", "De Volmacht")
MUNICIPALITY = ("de gemeente",)
TENANTS = ("AH WOON", "De Deelmacht")
OUTLOOK = "outlook"

_RANGES = [
    (10, 10, ALL), (11, 18, CORPORATIONS), (19, 19, MUNICIPALITY), (20, 25, ALL),
    (26, 29, CORPORATIONS), (30, 30, OUTLOOK), (31, 36, CORPORATIONS), (37, 38, MUNICIPALITY),
    (39, 40, TENANTS), (41, 41, OUTLOOK), (42, 47, ALL), (48, 49, CORPORATIONS),
    (50, 51, MUNICIPALITY), (52, 52, OUTLOOK), (53, 55, ALL), (56, 58, CORPORATIONS),
    (59, 61, MUNICIPALITY), (62, 62, TENANTS), (63, 63, OUTLOOK), (64, 64, CORPORATIONS),
    (65, 65, MUNICIPALITY), (66, 67, ALL), (68, 72, CORPORATIONS), (73, 73, MUNICIPALITY),
    (74, 75, TENANTS), (76, 76, OUTLOOK),
]

# number -> owners from the heading above it, or OUTLOOK for "Doorkijk naar 2022 en verder"
HEADING_OWNERS = {n: owners for low, high, owners in _RANGES for n in range(low, high + 1)}
OUTLOOK_NUMBERS = sorted(n for n, owners in HEADING_OWNERS.items() if owners == OUTLOOK)
NO_HEADING = list(range(1, 10))  # chapter 3 "Samenwerking": a plain numbered list

THEMES = {
    "4.1 Betaalbaarheid": (10, 19), "4.2 Beschikbaarheid": (20, 30),
    "4.3 Kwaliteit van de woningvoorraad": (31, 41), "4.4 Huisvesting bijzondere doelgroepen": (42, 52),
    "4.5 Wonen en zorg": (53, 63), "4.6 Kleine kernen": (64, 65), "4.7 Leefbaarheid": (66, 76),
}

PARTIES = [
    # name, short name, role, signatory, function
    ("Gemeente Aa en Hunze", "de gemeente", "gemeente", "H. Heijerman", "Wethouder Volkshuisvesting"),
    ("Woonborg", "Woonborg", "corporatie", "E. Borstlap", "Directeur-bestuurder"),
    ("Algemene Huurdersvereniging WOON", "AH WOON", "huurdersorganisatie", "J. Emmens", "Voorzitter"),
    ("Woningstichting De Volmacht", "De Volmacht", "corporatie", "J. Boekholt", "Directeur-bestuurder"),
    ("Huurdersvereniging De Deelmacht", "De Deelmacht", "huurdersorganisatie", "W. Hoving", "Voorzitter"),
]
