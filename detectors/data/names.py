"""First names and surnames for :mod:`detectors.person`: data, loaded once, when the detector first needs it.

Source: Faker 40.54.0 (https://github.com/joke2k/faker), ``faker/providers/person/fi_FI`` — the most
common given names and surnames in Finland, which Faker took from the Digital and Population Data
Services Agency's (DVV) open name statistics on avoindata.fi (CC BY 4.0) — and ``faker/providers/person/sv_SE``
(Swedish given names and surnames from Skatteverket's and Isof's name statistics), for the Swedish-speaking
Finns whose names the Finnish list lacks; Faker has no ``sv_FI`` lists. Only names the Finnish lists do not
already hold are taken from the Swedish ones. Copied as whitespace-separated words; nothing else of Faker
is used, and Faker is not a dependency.

Faker's licence, as its terms require:

    Copyright (c) 2012 Daniele Faraglia

    Permission is hereby granted, free of charge, to any person obtaining a copy
    of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights
    to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
    copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in
    all copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
    FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
    AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
    LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
    THE SOFTWARE.
"""

#: Given names, fi_FI (female and male together).
FI_FIRST = """
Aada Aapo Aarne Aaro Aaron Aatos Ahti Aila Aili Aimo Aino Airi Aki Akseli Aleksandra Aleksanteri Aleksi Alexander
Alexandra Alina Alisa Allan Amanda Anders Anita Anja Anna Anna-Liisa Anne Anneli Anni Anniina Annika Annikki Annukka
Anssi Antero Anton Antti Anu Ari Arja Armas Arto Arttu Artturi Arvo Asko Atte Aukusti Aulikki Aulis Aune Aurora
Benjamin Birgitta Carita Christian Christina Daniel Edvard Eelis Eemeli Eemil Eerik Eero Eetu Eeva Eija Eila Einari
Eino Elias Eliisa Elina Elisa Elisabet Elisabeth Ella Ellen Elli Elmeri Elsa Emil Emilia Emma Emmi Ensio Erik Erika
Erkki Esa Esko Essi Esteri Eveliina Hanna Hannele Hannu Harri Heidi Heikki Helena Heli Helinä Hellevi Helmi Helvi
Henna Henri Henrik Henrikki Henry Hermanni Hilkka Hillevi Ida Iida Iiris Iisakki Ilari Ilkka Ilmari Ilona Inkeri
Irene Irja Irma Irmeli Ismo Jaakko Jaana Jalmari Jan Jani Janne Jari Jarkko Jarmo Jarno Jasmin Jenna Jenni Jere
Jesse Joel Johan Johanna Johannes Joni Jonna Joona Joonas Joonatan Jorma Josefiina Jouko Jouni Juha Juhana Juhani
Juho Jukka Julia Julius Jussi Juulia Juuso Jyrki Kaarina Kaarlo Kai Kaija Kaisa Kalervo Kalevi Kalle Kari Karl
Karoliina Kasper Katariina Kati Katja Katri Katriina Kauko Keijo Kerttu Kim Kimmo Kirsi Kirsti Krista Kristian
Kristiina Kristina Kullervo Kustaa Kyllikki Lasse Lassi Laura Lauri Lea Leena Leevi Leila Leo Liisa Lilja Linda
Linnea Lotta Maaria Maarit Maija Maire Margareta Margit Mari Maria Marianne Marika Marita Maritta Marja Marja-Leena
Marja-Liisa Marjaana Marjatta Marjo Marjukka Marjut Marketta Markku Marko Markus Martta Martti Matias Matilda Matti
Mauno Mauri Merja Mervi Mia Miia Miika Mika Mikael Mikko Milla Minna Mira Mirja Mirjam Mirjami Miro Nea Niilo Niina
Niklas Niko Nina Noora Oiva Olavi Oliver Olivia Olli Onni Oona Orvokki Oskar Oskari Osmo Ossi Otto Outi Paavo Pasi
Patrik Paula Pauli Pauliina Pekka Pentti Pertti Peter Petra Petri Petteri Pia Piia Pirjo Pirkko Päivi Päivikki Raija
Raili Raimo Rainer Rasmus Rauno Reijo Reino Riikka Riitta Riku Risto Ritva Robert Roope Roosa Saara Sakari Sami Samu
Samuel Samuli Sanna Sanni Santeri Sara Sari Satu Sebastian Seija Seppo Siiri Simo Sini Sinikka Sirkka Sirpa Sisko
Sofia Sonja Susanna Suvi Taina Taisto Taneli Tanja Tapani Tapio Tarja Taru Tauno Teemu Teija Tellervo Terhi Tero
Terttu Teuvo Tiia Tiina Timo Toivo Tomi Tommi Toni Topias Tuija Tuomas Tuomo Tuukka Tuula Tuuli Tuulia Tuulikki Ulla
Uolevi Valdemar Valtteri Veera Veeti Veijo Veikko Veli Venla Verneri Vesa Viivi Vilhelm Vilhelmiina Vilho Viljami
Viljo Ville Vilma Virpi Vuokko Väinö Yrjö
"""

#: Surnames, fi_FI.
FI_LAST = """
Aalto Aaltonen Aho Ahokas Ahola Ahonen Airaksinen Alanen Alanko Alatalo Andersson Antikainen Anttila Anttonen Aro
Asikainen Autio Auvinen Backman Berg Blomqvist Eklund Elo Eloranta Eriksson Erkkilä Eronen Eskelinen Eskola Forsman
Grönroos Gustafsson Haapala Haapanen Haapaniemi Haataja Haavisto Hakala Hakkarainen Halme Halonen Hannula Harju
Hartikainen Hautala Hautamäki Haverinen Heikkilä Heikkinen Heino Heinonen Heiskanen Helenius Helin Helminen
Henriksson Hietala Hietanen Hiltunen Hirvonen Hokkanen Holappa Holm Holmberg Holmström Holopainen Honkanen Huhtala
Huotari Huovinen Huttunen Huuskonen Hyttinen Hytönen Hyvärinen Hyvönen Häkkinen Hämäläinen Hänninen Härkönen
Ihalainen Ikonen Immonen Jaakkola Jaatinen Jalonen Jansson Jauhiainen Johansson Jokela Jokinen Juntunen Jussila
Juvonen Jäntti Järvelä Järvenpää Järvi Järvinen Jääskeläinen Kaikkonen Kainulainen Kallio Kanerva Kangas Kankaanpää
Kantola Karhu Karhunen Kari Karjalainen Karlsson Karppinen Karttunen Karvinen Karvonen Kauppila Kauppinen Keinänen
Kemppainen Keränen Keskinen Keskitalo Ketola Kettunen Kilpeläinen Kinnunen Kiuru Kivelä Kivimäki Kivinen Kiviniemi
Kivistö Koistinen Koivisto Koivula Koivunen Kokko Kokkonen Kolehmainen Komulainen Konttinen Koponen Korhonen Korpela
Korpi Kortelainen Koskela Koski Koskinen Kosonen Kovanen Kuisma Kujala Kukkonen Kulmala Kumpulainen Kuosmanen Kurki
Kuronen Kuusela Kuusisto Kyllönen Kähkönen Kämäräinen Kärki Kärkkäinen Laakkonen Laakso Laaksonen Lahti Lahtinen
Laiho Laine Laitinen Lammi Lampinen Lankinen Lappalainen Lassila Latvala Laukkanen Laurila Lehikoinen Lehtimäki
Lehtinen Lehto Lehtola Lehtonen Leino Leinonen Lepistö Leppänen Leskinen Liimatainen Lilja Lindberg Lindfors
Lindgren Lindholm Lindqvist Lindroos Lindström Linna Lipponen Liukkonen Luoma Luukkonen Lähteenmäki Makkonen Malinen
Manninen Markkanen Martikainen Marttila Marttinen Matikainen Matilainen Mattila Mattsson Meriläinen Miettinen
Mikkola Mikkonen Moilanen Moisio Mononen Muhonen Mustonen Myllymäki Mäenpää Mäkelä Mäki Mäkinen Männistö Mäntylä
Määttä Nevala Nevalainen Niemelä Niemi Nieminen Niiranen Nikula Niskanen Nissinen Nousiainen Nurmi Nurminen Nuutinen
Nyberg Nykänen Nylund Nyman Oikarinen Oinonen Ojala Ojanen Oksanen Ollikainen Ollila Paananen Paavilainen Paavola
Pajunen Pakarinen Palomäki Parkkinen Partanen Parviainen Pasanen Pehkonen Pekkala Pekkarinen Pelkonen Peltola
Peltonen Peltoniemi Pennanen Penttilä Penttinen Perälä Pesonen Pietilä Piirainen Pirinen Pitkänen Pohjola Puhakka
Pulkkinen Puranen Puustinen Pääkkönen Pöllänen Raatikainen Rajala Ranta Rantala Rantanen Rauhala Rautiainen Rautio
Reinikainen Repo Riihimäki Riikonen Rinne Rintala Rissanen Ronkainen Rossi Ruotsalainen Ruuskanen Rytkönen Ryynänen
Räisänen Räsänen Räty Rönkkö Saarela Saari Saarinen Saastamoinen Sainio Sallinen Salmela Salmi Salminen Salo Salomaa
Salonen Savolainen Seppä Seppälä Seppänen Sihvonen Sillanpää Silvennoinen Simola Simonen Sipilä Sirviö Sirén Sjöblom
Soini Soininen Suhonen Suomalainen Suominen Sutinen Syrjälä Taipale Takala Tamminen Tanskanen Tarvainen Taskinen
Tervo Tiainen Tiihonen Tikka Tikkanen Timonen Tirkkonen Toivanen Toivonen Tolonen Tolvanen Tuomi Tuominen Tuovinen
Turpeinen Turunen Tähtinen Uotila Uusitalo Vainio Valkama Valkonen Valtonen Varis Vartiainen Venäläinen Vesterinen
Viitala Viitanen Viljanen Virta Virtanen Voutilainen Vuorela Vuori Vuorinen Väisänen Välimäki Väyrynen Väänänen
Ylinen Ylitalo Ylönen
"""

#: Given names, sv_SE, less those of ``FI_FIRST``.
SV_FIRST = """
Abbas Abdi Abdirahman Abdul Abdullah Abdullahi Adam Adele Adnan Adrian Agne Agnes Agneta Agnieszka Ahmad Ahmed Aina
Aisha Alan Alba Albert Alberto Albin Alejandro Aleksandra Alex Alexandra Alexis Alf Alfons Alfred Algot Ali Alice
Alicia Alina Alma Alva Alvar Alve Alvin Amadeus Amalia Amanda Amelia Amelie Amin Amina Amir Amira Ana Anas Andrea
Andreas Andres Andrew Andrzej André Andréas Anette Angela Angelica Angelika Angelina Anita Anja Ann Ann-Britt Ann-
Charlott Ann-Charlotte Ann-Christin Ann-Christine Ann-Kristin Ann-Louise Ann-Mari Ann-Marie Ann-Sofi Ann-Sofie Anna
Anna-Karin Anna-Lena Anna-Lisa Anna-Maria Anne Anne-Marie Anneli Annelie Annette Annica Annie Annika Annikki Anthony
Antonia Antonio Arne Arnold Aron Arthur Artur Arvid Assar Asta Aston Astrid August Aurora Axel Barbara Barbro Beata
Beatrice Bella Ben Bengt Benny Berit Berndt Bernhard Bernt Bert Bertil Betty Bianca Bill Billy Birger Birgit
Birgitta Bjarne Björn Bo Bodil Boel Boris Brita Britt Britt-Mari Britt-Marie Britta Bror Bruno Börje Cajsa Camilla
Carin Carina Carl Carl-Johan Carlos Carmen Carola Carolin Carolina Caroline Casper Cassandra Catarina Catharina
Cathrine Catrin Cecilia Celine Charles Charlie Charlott Charlotta Charlotte Christel Christer Christin Christina
Christine Christofer Christoffer Christopher Claes Clara Clas Claudia Colin Conny Cornelia Cristina Curt Dag Dagmar
Dagny Dan Daniela Daniella Dante David Del Denise Dennis Desirée Diana Dick Doris Douglas Ebba Ebbe Eddie Edgar Edit
Edith Edvin Edward Edwin Egon Einar Eira Eivor Elena Eleonor Eleonora Elin Elina Elinor Elis Elisa Elisabet
Elisabeth Elise Elizabeth Ella Ellen Ellie Ellinor Elliot Elly Elma Elmer Elna Elof Elsa Else Elsie Elsy Elton Elvin
Elvira Elvis Elvy Emanuel Emelie Emilia Emilie Emilio Emily Emma Emmy Enar Engla Eric Erica Erika Erland Erling Erna
Ernst Eskil Estelle Ester Esther Ethel Eugen Eva Eva-Lena Evald Evelina Evelyn Evert Evy Ewa Fabian Fanny Fatima
Felicia Felix Ferdinand Filip Filippa Florence Folke Frank Frans Fred Fredric Fredrik Fredrika Freja Frida Fritz
Gabriel Gabriella Georg George Gerd Gerda Gerhard Gert Gertrud Gillis Gisela Glenn Gottfrid Greger Greta Gudrun Gun
Gun-Britt Gunborg Gunhild Gunilla Gunnar Gunnel Gunvor Gustaf Gustav Göran Gösta Göte Hamid Hampus Hamza Hanna
Hannah Hannele Hannes Hans Harald Harriet Harry Hasan Hassan Hedda Hedvig Heidi Helen Helena Helene Helga Helge
Helmer Helén Heléne Henning Henric Henrietta Herbert Herman Hilda Hilding Hillevi Hilma Hjalmar Hjördis Holger Hugo
Hussein Håkan Ian Ibrahim Ida Idun Ilona Ilse Ina Ines Inez Ing-Britt Ing-Marie Inga Inga-Britt Inga-Lill Ingalill
Inge Ingeborg Ingegerd Ingegärd Ingela Ingemar Inger Ingmar Ingrid Ingvar Irene Iris Irma Iréne Isa Isaac Isabel
Isabell Isabella Isabelle Isac Isak Ismail Ivan Ivar Jack Jacob Jakob Jamal James Jan-Erik Jan-Olof Jan-Åke Jane
Janet Jarl Jasmin Jasmine Jean Jeanette Jennie Jennifer Jenny Jens Jerker Jerry Jesper Jessica Jill Jim Jimmie Jimmy
Joachim Joacim Joakim Joanna Johanna John Johnny Joline Jon Jonas Jonatan Jonathan Jonna Jonny Jose Josef Josefin
Josefina Josefine Joseph Josephine José Juan Judith Julia Julian Julie Juni Junior Jörgen Kaarina Kaj Kajsa Karim
Karin Karina Karl-Erik Karolina Katarina Katarzyna Katharina Katja Katrin Kennet Kenneth Kenny Kent Kenth Kerstin
Kevin Khaled Khalid Kian Kim Kjell Klara Klas Knut Konrad Krister Kristin Kristina Kristine Kristofer Kristoffer
Krzysztof Kumar Kurt Lage Laila Lara Lars Lars-Erik Lars-Göran Lars-Olof Lars-Åke Laura Lea Leah Leena Leia Leif
Leila Lena Lennart Leon Leona Leonard Leonardo Leopold Levi Li Liam Liisa Lilian Lillemor Lilly Lily Lina Linda Linn
Linnea Linnéa Linus Lisa Lisbet Lisbeth Lise-Lott Lise-Lotte Liselott Liselotte Liv Livia Lo Loke Lotta Loui Louie
Louis Louise Lova Love Lovis Lovisa Lowe Lucas Lucia Ludvig Ludwig Luis Lukas Luna Lydia Lykke Maarit Madeleine
Madelene Magdalena Magnus Mahdi Mahmoud Maj Maj-Britt Maj-Lis Maja Majken Majvor Malgorzata Malin Malte Malva
Manfred Manuel Marcin Marco Marcus Marek Margaret Margareta Margaretha Margit Margot Margret Mari Maria Mariam
Mariana Mariann Marianne Marie Marie-Louise Marika Marina Mario Marit Marita Marja Marjatta Mark Marlene Marta
Martin Martina Mary Maryam Matheo Mathias Mathilda Matilda Mats Matteo Mattias Matts Maud Mauritz Max Maximilian May
Maya Mehmet Meja Melina Melissa Melker Melvin Melwin Mia Micael Michael Michaela Michal Michel Michelle Miguel
Mikaela Mila Milan Milla Milo Milton Mimmi Mina Minna Mio Mira Miranda Miriam Mirjam Moa Mohamad Mohamed Mohammad
Mohammed Molly Mona Monica Monika Morgan Muhammad Mustafa My Märta Märtha Måns Mårten Nadia Nadja Nancy Nanna
Natalia Natalie Natanael Nathalie Nellie Nelly Neo Nicholas Nicklas Niclas Nicolas Nicole Nikola Nils Nina Noa Noah
Noel Nora Nour Nova Ola Olav Ole Olga Olivia Oliwer Olle Olof Olov Omar Oscar Osman Ossian Ottilia Ove Owe Patric
Patricia Patrick Paul Paula Paulina Pauline Pawel Peder Pelle Per Per-Erik Per-Olof Pernilla Petra Petter Philip Pia
Pierre Piotr Pontus Pär Rafael Ragnar Ragnhild Ralf Ralph Raymond Rebecca Rebecka Regina Reine Reinhold Renée Reza
Richard Rickard Rigmor Rikard Rita Roberto Robin Roger Roland Rolf Ronald Ronja Ronnie Ronny Rosa Rose Rose-Marie
Rosita Roy Ruben Rudolf Rune Rut Ruth Sabina Saga Said Saleh Sally Sam Samir Samira Sandra Sanna Sara Sarah Selma
Seth Sigfrid Sigge Signe Sigrid Sigurd Sigvard Simon Simone Siri Siv Sivert Sixten Sofi Sofia Sofie Solveig Sonia
Sonja Sonny Sophia Sophie Staffan Stefan Stella Stellan Sten Stephanie Stig Stina Sture Sune Susan Susann Susanna
Susanne Suzanne Svante Svea Sven Sven-Erik Sven-Olof Sylvia Sören Tage Tanja Ted Teodor Teresa Terese Teresia Thea
Theo Theodor Theres Therese Theresia Therése Thi Thomas Thor Thore Thure Tilda Tilde Tim Tina Tindra Tobias Tom
Tomas Tomasz Tommy Tony Tor Tora Torbjörn Tord Tore Torgny Torsten Tova Tove Tristan Ture Tuulikki Tuva Tyra Ulf
Ulla Ulla-Britt Ulrica Ulrik Ulrika Uno Urban Valborg Valentin Valentina Valter Vanessa Vanja Vega Vendela Vera
Verner Veronica Veronika Victor Victoria Vidar Vide Viggo Viking Viktor Viktoria Vilgot Vilhelmina Vilma Vilmer
Vincent Viola Viveka Vivianne Waldemar Walter Werner Wilhelm Wilhelmina Wille William Willy Wilma Wilmer Yasmin Ylva
Yngve Yousef Yusuf Yvonne Zahra Åke Åsa Åse Örjan Östen
"""

#: Surnames, sv_SE, less those of ``FI_LAST``.
SV_LAST = """
Abbas Abdi Abdullah Abrahamsson Adolfsson Ahlberg Ahlgren Ahlin Ahlqvist Ahlström Ahmad Ahmadi Ahmed Alexandersson
Alfredsson Ali Alm Almgren Almqvist Anderberg Andersen Andreasson Andrén Antonsson Aronsson Arvidsson Asp Asplund
Augustsson Axelsson Backlund Bengtsson Bergdahl Berggren Bergkvist Berglund Bergman Bergqvist Bergsten Bergstrand
Bergström Bergvall Berntsson Bertilsson Björk Björklund Björkman Blixt Blom Blomberg Blomgren Blomkvist Bodin Bohlin
Bohman Bolin Boman Borg Borgström Boström Brandt Brink Broberg Brodin Brolin Broman Brännström Burman Bylund Byström
Bäck Bäckman Bäckström Börjesson Carlberg Carlson Carlsson Chen Christensen Claesson Dahl Dahlberg Dahlgren Dahlin
Dahlqvist Dahlström Dahlén Danielsson Davidsson Edberg Edin Edlund Edman Edström Edvardsson Einarsson Ek Ekberg
Ekdahl Ekelund Ekholm Eklöf Ekman Ekstrand Ekström Eliasson Elofsson Emanuelsson Emilsson Engberg Engdahl Englund
Engman Engström Engvall Ericson Ericsson Erlandsson Fagerström Falk Farah Ferm Flink Folkesson Fors Forsberg Forsell
Forsgren Forslund Frank Fransson Franzén Fredriksson Friberg Frid Frisk Gabrielsson Gashi Grahn Granath Granberg
Granlund Granström Green Gren Grönlund Gullberg Gunnarsson Gustavsson Göransson Hagberg Haglund Hagman Hagström Hall
Hallberg Hallgren Hallin Halvarsson Hammar Hammarström Hanna Hansen Hansson Haraldsson Hasan Hassan Hedberg Hedin
Hedlund Hedman Hedström Helgesson Hellberg Hellgren Hellman Hellström Henningsson Hermansson Hjalmarsson Hjelm Hjort
Holgersson Holmgren Holmqvist Holst Hosseini Hult Hultgren Hultman Hussein Hägg Hägglund Häggström Håkansson Högberg
Höglund Ibrahim Ingvarsson Isaksson Ismail Israelsson Issa Ivarsson Jacobsson Jafari Jakobsson Jarl Jensen Jeppsson
Johannesson Johansen Johnson Johnsson Jonasson Jonsson Josefsson Juhlin Jönsson Jörgensen Karlberg Karlström Khalil
Khan Kjellberg Klasson Kling Knutsson Krantz Kristensson Kristiansson Kristoffersson Kvist Källström Landin
Landström Lantz Larsen Larsson Lennartsson Levin Li Lidström Lidén Liljegren Lind Lindahl Lindblad Lindblom Linde
Lindell Linder Lindh Lindkvist Lindmark Lindquist Lindskog Lindvall Lindén Liu Ljung Ljungberg Ljunggren Ljungqvist
Lund Lundberg Lundblad Lundell Lundgren Lundh Lundholm Lundin Lundkvist Lundmark Lundquist Lundqvist Lundström Löf
Löfgren Lönn Lövgren Magnusson Malm Malmberg Malmgren Malmqvist Malmström Marklund Martinsson Melander Melin Moberg
Modig Mohamed Mohammad Mohammadi Mohammed Mohamud Molin Mustafa Månsson Mårtensson Möller Nguyen Nielsen Niklasson
Nilsson Norberg Nord Nordberg Nordgren Nordin Nordlander Nordlund Nordqvist Nordström Norgren Norlin Norling Norman
Norrman Norén Nygren Nylander Nylén Nyström Näslund Ohlsson Olander Olausson Olofsson Olsen Olsson Omar Oskarsson
Osman Ottosson Palm Palmgren Palmqvist Paulsson Pedersen Persson Petersen Petersson Pettersson Pihl Pålsson Rask
Rasmussen Rehn Robertsson Roos Rosenberg Rosengren Rosenqvist Rosén Roth Rydberg Rydén Sahlin Said Saleh Salomonsson
Samuelsson Sandberg Sandell Sandgren Sandin Sandström Schmidt Selin Simonsson Singh Sjöberg Sjödin Sjögren Sjöholm
Sjölander Sjölin Sjölund Sjöstedt Sjöstrand Sjöström Skog Skoglund Skoog Sköld Smith Stark Steen Stenberg Stenlund
Stenström Storm Strand Strandberg Strid Ström Strömberg Ståhl Sundberg Sundell Sundin Sundqvist Sundström Svahn
Svanberg Svantesson Svedberg Svensson Svärd Söderberg Södergren Söderholm Söderlund Söderman Söderqvist Söderström
Sörensen Thor Thorén Thulin Torstensson Tran Turesson Törnqvist Vallin Vesterlund Vestin Viberg Viklund Vikström
Vilhelmsson Wahlberg Wahlgren Wahlström Wall Wallgren Wallin Wallén Wang Wennberg Werner Westberg Wester Westerberg
Westerlund Westin Westlund Westman Wiberg Widén Wiklund Wikström Wilhelmsson Winberg Zetterberg Zhang Åberg Ågren
Åkerlund Åkerman Åkesson Åsberg Åslund Åström Öberg Öhman Östberg Österberg Östling Östlund Östman
"""
