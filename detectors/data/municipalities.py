"""Finland's municipalities, for :mod:`detectors.address`: a postal code is followed by its post office,
which is in most places the municipality's name (``00530 Helsinki``, ``02100 Espoo``, ``20100 Turku``).

Source: Statistics Finland, municipality classification (kuntaluokitus, https://stat.fi/fi/luokitukset/kunta/),
open data under CC BY 4.0 — the municipalities since the merger of 2021, written here by hand, in their
Finnish names (``Koski Tl`` as ``Koski_Tl``: an underscore stands for a space), and the Swedish names of
bilingual municipalities and of the larger towns, as Swedish addresses write them (``00100 Helsingfors``).
Post office names that are no municipality (a village with a post office of its own) are not here: an
address whose tail names one is reported without its tail.
"""

#: Finnish names (309).
FINNISH = """
Akaa Alajärvi Alavieska Alavus Asikkala Askola Aura Brändö Eckerö Enonkoski Enontekiö Espoo Eura Eurajoki Evijärvi
Finström Forssa Föglö Geta Haapajärvi Haapavesi Hailuoto Halsua Hamina Hammarland Hankasalmi Hanko Harjavalta
Hartola Hattula Hausjärvi Heinola Heinävesi Helsinki Hirvensalmi Hollola Huittinen Humppila Hyrynsalmi Hyvinkää
Hämeenkyrö Hämeenlinna Ii Iisalmi Iitti Ikaalinen Ilmajoki Ilomantsi Imatra Inari Inkoo Isojoki Isokyrö Janakkala
Joensuu Jokioinen Jomala Joroinen Joutsa Juuka Juupajoki Juva Jyväskylä Jämijärvi Jämsä Järvenpää Kaarina Kaavi
Kajaani Kalajoki Kangasala Kangasniemi Kankaanpää Kannonkoski Kannus Karijoki Karkkila Karstula Karvia Kaskinen
Kauhajoki Kauhava Kauniainen Kaustinen Keitele Kemi Kemijärvi Keminmaa Kemiönsaari Kempele Kerava Keuruu Kihniö
Kinnula Kirkkonummi Kitee Kittilä Kiuruvesi Kivijärvi Kokemäki Kokkola Kolari Konnevesi Kontiolahti Korsnäs Koski_Tl
Kotka Kouvola Kristiinankaupunki Kruunupyy Kuhmo Kuhmoinen Kumlinge Kuopio Kuortane Kurikka Kustavi Kuusamo Kyyjärvi
Kärkölä Kärsämäki Kökar Lahti Laihia Laitila Lapinjärvi Lapinlahti Lappajärvi Lappeenranta Lapua Laukaa Lemi Lemland
Lempäälä Leppävirta Lestijärvi Lieksa Lieto Liminka Liperi Lohja Loimaa Loppi Loviisa Luhanka Lumijoki Lumparland
Luoto Luumäki Maalahti Maarianhamina Marttila Masku Merijärvi Merikarvia Miehikkälä Mikkeli Muhos Multia Muonio
Mustasaari Muurame Mynämäki Myrskylä Mäntsälä Mänttä-Vilppula Mäntyharju Naantali Nakkila Nivala Nokia Nousiainen
Nurmes Nurmijärvi Närpiö Orimattila Oripää Orivesi Oulainen Oulu Outokumpu Padasjoki Paimio Paltamo Parainen
Parikkala Parkano Pedersöre Pelkosenniemi Pello Perho Pertunmaa Petäjävesi Pieksämäki Pielavesi Pietarsaari
Pihtipudas Pirkkala Polvijärvi Pomarkku Pori Pornainen Porvoo Posio Pudasjärvi Pukkila Punkalaidun Puolanka Puumala
Pyhtää Pyhäjoki Pyhäjärvi Pyhäntä Pyhäranta Pälkäne Pöytyä Raahe Raasepori Raisio Rantasalmi Ranua Rauma Rautalampi
Rautavaara Rautjärvi Reisjärvi Riihimäki Ristijärvi Rovaniemi Ruokolahti Ruovesi Rusko Rääkkylä Saarijärvi Salla
Salo Saltvik Sastamala Sauvo Savitaipale Savonlinna Savukoski Seinäjoki Sievi Siikainen Siikajoki Siikalatva
Siilinjärvi Simo Sipoo Siuntio Sodankylä Soini Somero Sonkajärvi Sotkamo Sottunga Sulkava Sund Suomussalmi
Suonenjoki Sysmä Säkylä Taipalsaari Taivalkoski Taivassalo Tammela Tampere Tervo Tervola Teuva Tohmajärvi Toholampi
Toivakka Tornio Turku Tuusniemi Tuusula Tyrnävä Ulvila Urjala Utajärvi Utsjoki Uurainen Uusikaarlepyy Uusikaupunki
Vaala Vaasa Valkeakoski Vantaa Varkaus Vehmaa Vesanto Vesilahti Veteli Vieremä Vihti Viitasaari Vimpeli Virolahti
Virrat Vårdö Vöyri Ylitornio Ylivieska Ylöjärvi Ypäjä Ähtäri Äänekoski
"""

#: Swedish names.
SWEDISH = """
Birkala Björneborg Borgå Ekenäs Esbo Esse Fredrikshamn Gamlakarleby Grankulla Hangö Helsingfors Hyvinge Idensalmi
Ingå Jakobstad Kajana Karis Karleby Kaskö Kervo Kimitoön Korsholm Kristinestad Kronoby Kyrkslätt Lahtis Lappträsk
Larsmo Lembois Lojo Lovisa Malax Mariehamn Mörskom Nykarleby Nyslott Nystad Närpes Nådendal Pargas Raseborg
Raumo Reso S:t_Michel Sankt_Karins Sibbo Sjundeå Tammerfors Tavastehus Torneå Träskända Tusby Uleåborg Ulvsby Vanda
Vasa Villmanstrand Vörå Åbo
"""
