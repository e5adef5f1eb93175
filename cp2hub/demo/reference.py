"""Public Kenyan reference data (counties, names, schools, exam papers, banks)
used to build deterministic demo seeds; no randomness lives here."""

# --------------------------------------------------------------------------
# 1. Counties: official codes from the First Schedule of the Constitution.
# --------------------------------------------------------------------------
COUNTIES: tuple[tuple[str, str], ...] = (
    ("001", "Mombasa"),
    ("002", "Kwale"),
    ("003", "Kilifi"),
    ("004", "Tana River"),
    ("005", "Lamu"),
    ("006", "Taita Taveta"),
    ("007", "Garissa"),
    ("008", "Wajir"),
    ("009", "Mandera"),
    ("010", "Marsabit"),
    ("011", "Isiolo"),
    ("012", "Meru"),
    ("013", "Tharaka-Nithi"),
    ("014", "Embu"),
    ("015", "Kitui"),
    ("016", "Machakos"),
    ("017", "Makueni"),
    ("018", "Nyandarua"),
    ("019", "Nyeri"),
    ("020", "Kirinyaga"),
    ("021", "Murang'a"),
    ("022", "Kiambu"),
    ("023", "Turkana"),
    ("024", "West Pokot"),
    ("025", "Samburu"),
    ("026", "Trans Nzoia"),
    ("027", "Uasin Gishu"),
    ("028", "Elgeyo-Marakwet"),
    ("029", "Nandi"),
    ("030", "Baringo"),
    ("031", "Laikipia"),
    ("032", "Nakuru"),
    ("033", "Narok"),
    ("034", "Kajiado"),
    ("035", "Kericho"),
    ("036", "Bomet"),
    ("037", "Kakamega"),
    ("038", "Vihiga"),
    ("039", "Bungoma"),
    ("040", "Busia"),
    ("041", "Siaya"),
    ("042", "Kisumu"),
    ("043", "Homa Bay"),
    ("044", "Migori"),
    ("045", "Kisii"),
    ("046", "Nyamira"),
    ("047", "Nairobi"),
)

# --------------------------------------------------------------------------
# 2. Sub-counties per county code. Constituency names (2012 boundaries) are
#    used throughout, except Isiolo, which uses its three gazetted
#    sub-counties (it has only two constituencies). Lamu has only two
#    sub-counties/constituencies in reality, so it has two entries.
# --------------------------------------------------------------------------
SUB_COUNTIES: dict[str, tuple[str, ...]] = {
    "001": ("Changamwe", "Jomvu", "Kisauni", "Nyali", "Likoni", "Mvita"),
    "002": ("Msambweni", "Lunga Lunga", "Matuga", "Kinango"),
    "003": ("Kilifi North", "Kilifi South", "Kaloleni", "Rabai", "Ganze",
            "Malindi", "Magarini"),
    "004": ("Garsen", "Galole", "Bura"),
    "005": ("Lamu East", "Lamu West"),
    "006": ("Taveta", "Wundanyi", "Mwatate", "Voi"),
    "007": ("Garissa Township", "Balambala", "Lagdera", "Dadaab", "Fafi",
            "Ijara"),
    "008": ("Wajir North", "Wajir East", "Tarbaj", "Wajir West", "Eldas",
            "Wajir South"),
    "009": ("Mandera West", "Banissa", "Mandera North", "Mandera South",
            "Mandera East", "Lafey"),
    "010": ("Moyale", "North Horr", "Saku", "Laisamis"),
    "011": ("Isiolo", "Garbatulla", "Merti"),
    "012": ("Igembe South", "Igembe Central", "Igembe North", "Tigania West",
            "Tigania East", "North Imenti", "Buuri", "Central Imenti",
            "South Imenti"),
    "013": ("Maara", "Chuka/Igambang'ombe", "Tharaka"),
    "014": ("Manyatta", "Runyenjes", "Mbeere South", "Mbeere North"),
    "015": ("Mwingi North", "Mwingi West", "Mwingi Central", "Kitui West",
            "Kitui Rural", "Kitui Central", "Kitui East", "Kitui South"),
    "016": ("Masinga", "Yatta", "Kangundo", "Matungulu", "Kathiani",
            "Mavoko", "Machakos Town", "Mwala"),
    "017": ("Mbooni", "Kilome", "Kaiti", "Makueni", "Kibwezi West",
            "Kibwezi East"),
    "018": ("Kinangop", "Kipipiri", "Ol Kalou", "Ol Joro Orok", "Ndaragwa"),
    "019": ("Tetu", "Kieni", "Mathira", "Othaya", "Mukurweini", "Nyeri Town"),
    "020": ("Mwea", "Gichugu", "Ndia", "Kirinyaga Central"),
    "021": ("Kangema", "Mathioya", "Kiharu", "Kigumo", "Maragwa", "Kandara",
            "Gatanga"),
    "022": ("Gatundu South", "Gatundu North", "Juja", "Thika Town", "Ruiru",
            "Githunguri", "Kiambu", "Kiambaa", "Kabete", "Kikuyu", "Limuru",
            "Lari"),
    "023": ("Turkana North", "Turkana West", "Turkana Central", "Loima",
            "Turkana South", "Turkana East"),
    "024": ("Kapenguria", "Sigor", "Kacheliba", "Pokot South"),
    "025": ("Samburu West", "Samburu North", "Samburu East"),
    "026": ("Kwanza", "Endebess", "Saboti", "Kiminini", "Cherangany"),
    "027": ("Soy", "Turbo", "Moiben", "Ainabkoi", "Kapseret", "Kesses"),
    "028": ("Marakwet East", "Marakwet West", "Keiyo North", "Keiyo South"),
    "029": ("Tinderet", "Aldai", "Nandi Hills", "Chesumei", "Emgwen",
            "Mosop"),
    "030": ("Tiaty", "Baringo North", "Baringo Central", "Baringo South",
            "Mogotio", "Eldama Ravine"),
    "031": ("Laikipia West", "Laikipia East", "Laikipia North"),
    "032": ("Molo", "Njoro", "Naivasha", "Gilgil", "Kuresoi South",
            "Kuresoi North", "Subukia", "Rongai", "Bahati", "Nakuru Town West",
            "Nakuru Town East"),
    "033": ("Kilgoris", "Emurua Dikirr", "Narok North", "Narok East",
            "Narok South", "Narok West"),
    "034": ("Kajiado North", "Kajiado Central", "Kajiado East",
            "Kajiado West", "Kajiado South"),
    "035": ("Kipkelion East", "Kipkelion West", "Ainamoi", "Bureti",
            "Belgut", "Sigowet/Soin"),
    "036": ("Sotik", "Chepalungu", "Bomet East", "Bomet Central", "Konoin"),
    "037": ("Lugari", "Likuyani", "Malava", "Lurambi", "Navakholo",
            "Mumias West", "Mumias East", "Matungu", "Butere", "Khwisero",
            "Shinyalu", "Ikolomani"),
    "038": ("Vihiga", "Sabatia", "Hamisi", "Luanda", "Emuhaya"),
    "039": ("Mt. Elgon", "Sirisia", "Kabuchai", "Bumula", "Kanduyi",
            "Webuye East", "Webuye West", "Kimilili", "Tongaren"),
    "040": ("Teso North", "Teso South", "Nambale", "Matayos", "Butula",
            "Funyula", "Budalangi"),
    "041": ("Ugenya", "Ugunja", "Alego Usonga", "Gem", "Bondo", "Rarieda"),
    "042": ("Kisumu East", "Kisumu West", "Kisumu Central", "Seme", "Nyando",
            "Muhoroni", "Nyakach"),
    "043": ("Kasipul", "Kabondo Kasipul", "Karachuonyo", "Rangwe",
            "Homa Bay Town", "Ndhiwa", "Suba North", "Suba South"),
    "044": ("Rongo", "Awendo", "Suna East", "Suna West", "Uriri", "Nyatike",
            "Kuria West", "Kuria East"),
    "045": ("Bonchari", "South Mugirango", "Bomachoge Borabu", "Bobasi",
            "Bomachoge Chache", "Nyaribari Masaba", "Nyaribari Chache",
            "Kitutu Chache North", "Kitutu Chache South"),
    "046": ("Kitutu Masaba", "West Mugirango", "North Mugirango", "Borabu"),
    "047": ("Westlands", "Dagoretti North", "Dagoretti South", "Lang'ata",
            "Kibra", "Roysambu", "Kasarani", "Ruaraka", "Embakasi South",
            "Embakasi North", "Embakasi Central", "Embakasi East",
            "Embakasi West", "Makadara", "Kamukunji", "Starehe", "Mathare"),
}

# --------------------------------------------------------------------------
# 3. First names commonly given in Kenya (Christian/English, Swahili, Arabic).
# --------------------------------------------------------------------------
FIRST_NAMES_MALE: tuple[str, ...] = (
    "Abdullahi", "Ali", "Allan", "Amos", "Bakari", "Baraka", "Benard",
    "Boniface", "Brian", "Caleb", "Charles", "Collins", "Daniel", "David",
    "Dennis", "Duncan", "Edwin", "Elijah", "Emmanuel", "Erick", "Evans",
    "Felix", "Festus", "Francis", "Fredrick", "Geoffrey", "George", "Gideon",
    "Hamisi", "Hassan", "Hillary", "Humphrey", "Ian", "Ibrahim", "Isaac",
    "James", "John", "Joseph", "Joshua", "Juma", "Kennedy", "Kevin",
    "Michael", "Mohamed", "Moses", "Nelson", "Omar", "Patrick", "Paul",
    "Peter", "Rashid", "Salim", "Samuel", "Stephen", "Timothy", "Victor",
    "Vincent", "Wycliffe", "Yusuf", "Zakayo",
)

FIRST_NAMES_FEMALE: tuple[str, ...] = (
    "Aisha", "Amina", "Ann", "Beatrice", "Brenda", "Caroline", "Catherine",
    "Christine", "Cynthia", "Damaris", "Diana", "Dorcas", "Edith", "Esther",
    "Eunice", "Everlyne", "Faith", "Fatuma", "Florence", "Gladys", "Grace",
    "Halima", "Hellen", "Imani", "Irene", "Jackline", "Jane", "Janet",
    "Josephine", "Joyce", "Judith", "Khadija", "Leah", "Lilian", "Lucy",
    "Margaret", "Mary", "Maureen", "Mercy", "Miriam", "Monica", "Nancy",
    "Naomi", "Neema", "Peris", "Purity", "Rehema", "Rose", "Ruth", "Salma",
    "Sarah", "Sharon", "Stella", "Susan", "Sylvia", "Tabitha", "Teresa",
    "Winnie", "Zainab", "Zawadi",
)

# --------------------------------------------------------------------------
# 4. Surnames across Kenyan communities (grouped, each group sorted).
# --------------------------------------------------------------------------
SURNAMES: tuple[str, ...] = (
    # Kikuyu
    "Chege", "Gachanja", "Gathoni", "Gitau", "Githinji", "Irungu", "Kahiga",
    "Kamau", "Karanja", "Kariuki", "Kiarie", "Kibe", "Kimani", "Kinyanjui",
    "Macharia", "Maina", "Mathenge", "Mbugua", "Muchiri", "Mugo", "Mureithi",
    "Muthoni", "Mwangi", "Nderitu", "Ndirangu", "Ndungu", "Ngigi", "Ngugi",
    "Njenga", "Njeri", "Njoroge", "Njuguna", "Nyambura", "Thuo", "Wachira",
    "Wainaina", "Wairimu", "Wambui", "Wanjiku", "Wanjiru", "Waweru",
    # Luo
    "Achieng", "Adhiambo", "Akinyi", "Anyango", "Aoko", "Atieno", "Awuor",
    "Obiero", "Obura", "Ochieng", "Odera", "Odhiambo", "Odongo", "Oduor",
    "Ogola", "Ogutu", "Ojwang", "Okello", "Oketch", "Okoth", "Oloo",
    "Omollo", "Omondi", "Onyango", "Opiyo", "Otieno", "Ouma", "Owino",
    "Owuor", "Oyugi",
    # Luhya
    "Ambani", "Andala", "Barasa", "Khaemba", "Khisa", "Kituyi", "Kweyu",
    "Makokha", "Masinde", "Mukhwana", "Mulama", "Musungu", "Nafula",
    "Nasimiyu", "Nekesa", "Nyongesa", "Shikuku", "Shitanda", "Sifuna",
    "Simiyu", "Wafula", "Wamalwa", "Wangila", "Wanjala", "Wanyama",
    "Wanyonyi", "Wasike", "Wekesa", "Were",
    # Kalenjin
    "Bett", "Biwott", "Chebet", "Chelimo", "Chepkoech", "Chepngetich",
    "Cherono", "Cheruiyot", "Jepchirchir", "Jepkosgei", "Jerotich", "Kemboi",
    "Keter", "Kibet", "Kimutai", "Kipchumba", "Kipkemboi", "Kiplagat",
    "Kiprono", "Kiprotich", "Kipruto", "Kiptoo", "Kirui", "Koech", "Korir",
    "Kosgei", "Langat", "Mutai", "Ngetich", "Rotich", "Ruto", "Sang",
    "Tanui", "Yego",
    # Kamba
    "Kasyoka", "Kilonzo", "Kimeu", "Kioko", "Kyalo", "Makau", "Mbithi",
    "Muasya", "Muema", "Mulwa", "Munyao", "Musau", "Musyoka", "Mutinda",
    "Mutiso", "Mutua", "Mwendwa", "Mwikali", "Ndambuki", "Nduku", "Nzioka",
    "Wambua",
    # Kisii
    "Bosire", "Kemunto", "Kerubo", "Kwamboka", "Makori", "Mogaka", "Mokaya",
    "Momanyi", "Moraa", "Nyaboke", "Nyakundi", "Nyamweya", "Nyanchama",
    "Nyangau", "Ogeto", "Okemwa", "Ombui", "Omwenga", "Ondieki", "Ongeri",
    "Onsongo", "Onyancha",
    # Meru / Embu / Tharaka
    "Gitonga", "Ireri", "Kaberia", "Kendi", "Kimathi", "Kinoti", "Kirimi",
    "Koome", "Makena", "Mbogo", "Mugambi", "Muriuki", "Mutembei", "Mutuma",
    "Mwenda", "Mwiti", "Njeru", "Nkirote", "Nyaga",
    # Mijikenda / Taita (Coast)
    "Baya", "Charo", "Chengo", "Jefwa", "Kahindi", "Kalama", "Karisa",
    "Katana", "Kazungu", "Kenga", "Kitsao", "Kombe", "Masha", "Mramba",
    "Mwadime", "Mwakio", "Mwamburi", "Mwandawiro", "Ngala", "Nyale", "Tsuma",
    # Somali / Borana / Muslim families
    "Abdi", "Abdullahi", "Adan", "Ahmed", "Ali", "Dahir", "Farah", "Gedi",
    "Hassan", "Hirsi", "Hussein", "Ibrahim", "Mohamed", "Mohamud", "Noor",
    "Osman",
    # Maasai / Samburu / Turkana / Pokot
    "Ekai", "Ekiru", "Koikai", "Lemayian", "Lenku", "Leshan", "Lesuuda",
    "Lokorio", "Lonyangapuo", "Nanok", "Ole Kaelo", "Ole Sapit", "Saitoti",
    "Sankale", "Sironka",
)

# --------------------------------------------------------------------------
# 5. School names: fill a pattern with place=<PLACE_WORDS item> and, where
#    present, saint=<SAINTS item> (str.format ignores unused keywords).
# --------------------------------------------------------------------------
SAINTS: tuple[str, ...] = (
    "Anne's", "Anthony's", "Augustine's", "Bakhita", "Charles Lwanga",
    "Francis", "John's", "Joseph's", "Kizito", "Luke's", "Mark's", "Mary's",
    "Monica's", "Patrick's", "Paul's", "Peter's", "Stephen's", "Teresa's",
)

SECONDARY_SCHOOL_PATTERNS: tuple[str, ...] = (
    "{place} Boys High School",
    "{place} Girls High School",
    "{place} Girls Secondary School",
    "{place} Mixed Day Secondary School",
    "{place} Day Secondary School",
    "{place} High School",
    "{place} Secondary School",
    "{place} Comprehensive School",
    "St. {saint} {place} Secondary School",
    "St. {saint} {place} Girls Secondary School",
    "AIC {place} Secondary School",
    "ACK {place} Secondary School",
    "PCEA {place} Secondary School",
    "Friends School {place}",
)

PRIMARY_SCHOOL_PATTERNS: tuple[str, ...] = (
    "{place} Primary School",
    "{place} Junior School",
    "{place} Comprehensive School",
    "{place} Academy",
    "DEB {place} Primary School",
    "St. {saint} {place} Primary School",
    "AIC {place} Primary School",
    "ACK {place} Primary School",
    "PCEA {place} Primary School",
)

SCHOOL_NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "primary": PRIMARY_SCHOOL_PATTERNS,
    "secondary": SECONDARY_SCHOOL_PATTERNS,
}

# Real Kenyan towns, villages, estates and locations, sorted.
PLACE_WORDS: tuple[str, ...] = (
    "Ahero", "Amagoro", "Awendo", "Bahati", "Bondo", "Bungoma", "Burnt Forest",
    "Busia", "Butere", "Butula", "Chavakali", "Chepkorio", "Chogoria", "Chuka",
    "Chwele", "Dandora", "Eldama Ravine", "Eldoret", "Embu", "Endebess",
    "Funyula", "Garissa", "Garsen", "Gatundu", "Gilgil", "Githiga",
    "Githunguri", "Githurai", "Hola", "Homa Bay", "Huruma", "Isinya", "Isiolo",
    "Iten", "Juja", "Kabarak", "Kabarnet", "Kabete", "Kabiyet", "Kagwe",
    "Kahawa", "Kaimosi", "Kajiado", "Kakamega", "Kakuma", "Kaloleni",
    "Kamukunji", "Kandara", "Kangema", "Kangemi", "Kangundo", "Kapenguria",
    "Kapsabet", "Kapsokwony", "Karatina", "Kariobangi", "Kathiani",
    "Kawangware", "Kayole", "Kendu Bay", "Kericho", "Keroka", "Kerugoya",
    "Kiambu", "Kibwezi", "Kikuyu", "Kilgoris", "Kilifi", "Kimilili",
    "Kiminini", "Kinango", "Kinoo", "Kisii", "Kisumu", "Kitale", "Kitengela",
    "Kitui", "Kombewa", "Kutus", "Kwale", "Lamu", "Limuru", "Litein", "Lodwar",
    "Loitokitok", "Luanda", "Lugari", "Lugulu", "Machakos", "Makindu",
    "Malaba", "Malava", "Malindi", "Maralal", "Mariakani", "Marigat", "Maseno",
    "Matuu", "Maua", "Mbale", "Mbita", "Meru", "Migori", "Mogotio", "Molo",
    "Mosoriot", "Moyale", "Msambweni", "Mtwapa", "Muhoroni", "Mumias",
    "Murang'a", "Mwala", "Mwatate", "Mwingi", "Naitiri", "Naivasha", "Namanga",
    "Nambale", "Nandi Hills", "Nanyuki", "Narok", "Ndhiwa", "Ngong", "Njabini",
    "Njoro", "Nyahururu", "Nyamira", "Nyeri", "Ogembo", "Ol Kalou", "Othaya",
    "Oyugis", "Port Victoria", "Riruta", "Rongo", "Ruiru", "Rumuruti",
    "Runyenjes", "Sagana", "Siakago", "Siaya", "Sirisia", "Sotik", "Subukia",
    "Tala", "Taveta", "Thika", "Turbo", "Ugunja", "Ukunda", "Umoja", "Vihiga",
    "Voi", "Watamu", "Webuye", "Wote", "Wundanyi", "Yala",
)
SCHOOL_PLACE_WORDS: tuple[str, ...] = PLACE_WORDS

# --------------------------------------------------------------------------
# 6. KCSE papers: real KNEC subject codes; "/n" is the paper number.
# --------------------------------------------------------------------------
KCSE_PAPERS: tuple[tuple[str, str], ...] = (
    ("101/1", "English Paper 1"),
    ("101/2", "English Paper 2"),
    ("101/3", "English Paper 3"),
    ("102/1", "Kiswahili Karatasi 1"),
    ("102/2", "Kiswahili Karatasi 2"),
    ("102/3", "Kiswahili Karatasi 3"),
    ("121/1", "Mathematics Alt. A Paper 1"),
    ("121/2", "Mathematics Alt. A Paper 2"),
    ("122/1", "Mathematics Alt. B Paper 1"),
    ("122/2", "Mathematics Alt. B Paper 2"),
    ("231/1", "Biology Paper 1"),
    ("231/2", "Biology Paper 2"),
    ("231/3", "Biology Paper 3 (Practical)"),
    ("232/1", "Physics Paper 1"),
    ("232/2", "Physics Paper 2"),
    ("232/3", "Physics Paper 3 (Practical)"),
    ("233/1", "Chemistry Paper 1"),
    ("233/2", "Chemistry Paper 2"),
    ("233/3", "Chemistry Paper 3 (Practical)"),
    ("311/1", "History and Government Paper 1"),
    ("311/2", "History and Government Paper 2"),
    ("312/1", "Geography Paper 1"),
    ("312/2", "Geography Paper 2"),
    ("313/1", "Christian Religious Education Paper 1"),
    ("313/2", "Christian Religious Education Paper 2"),
    ("314/1", "Islamic Religious Education Paper 1"),
    ("314/2", "Islamic Religious Education Paper 2"),
    ("441/1", "Home Science Paper 1"),
    ("441/2", "Home Science Paper 2 (Clothing Construction)"),
    ("441/3", "Home Science Paper 3 (Foods and Nutrition)"),
    ("442/1", "Art and Design Paper 1"),
    ("442/2", "Art and Design Paper 2"),
    ("442/3", "Art and Design Paper 3"),
    ("443/1", "Agriculture Paper 1"),
    ("443/2", "Agriculture Paper 2"),
    ("443/3", "Agriculture Paper 3 (Project)"),
    ("451/1", "Computer Studies Paper 1"),
    ("451/2", "Computer Studies Paper 2 (Practical)"),
    ("451/3", "Computer Studies Paper 3 (Project)"),
    ("501/1", "French Paper 1"),
    ("501/2", "French Paper 2"),
    ("501/3", "French Paper 3 (Oral)"),
    ("502/1", "German Paper 1"),
    ("502/2", "German Paper 2"),
    ("502/3", "German Paper 3 (Oral)"),
    ("503/1", "Arabic Paper 1"),
    ("503/2", "Arabic Paper 2"),
    ("503/3", "Arabic Paper 3 (Oral)"),
    ("565/1", "Business Studies Paper 1"),
    ("565/2", "Business Studies Paper 2"),
)

# --------------------------------------------------------------------------
# 7. KPSEA (Grade 6) papers. The five papers are real; the codes are
#    illustrative demo codes, not official KNEC codes.
# --------------------------------------------------------------------------
KPSEA_PAPERS: tuple[tuple[str, str], ...] = (
    ("901", "Mathematics"),
    ("902", "English"),
    ("903", "Kiswahili"),
    ("904", "Kenyan Sign Language"),
    ("905", "Integrated Science"),
    ("906", "Creative Arts and Social Studies"),
)

# --------------------------------------------------------------------------
# 8. Safaricom mobile prefixes (07xx only, so numbers normalise to 2547...).
# --------------------------------------------------------------------------
SAFARICOM_PREFIXES: tuple[str, ...] = (
    "0700", "0701", "0702", "0703", "0704", "0705", "0706", "0707",
    "0708", "0709", "0710", "0711", "0712", "0713", "0714", "0715",
    "0716", "0717", "0718", "0719", "0720", "0721", "0722", "0723",
    "0724", "0725", "0726", "0727", "0728", "0729", "0740", "0741",
    "0742", "0743", "0745", "0746", "0748", "0757", "0758", "0759",
    "0768", "0769", "0790", "0791", "0792", "0793", "0794", "0795",
    "0796", "0797", "0798", "0799",
)

# --------------------------------------------------------------------------
# 9. Banks licensed in Kenya.
# --------------------------------------------------------------------------
BANKS: tuple[str, ...] = (
    "Absa Bank Kenya",
    "Co-operative Bank of Kenya",
    "Diamond Trust Bank",
    "Equity Bank",
    "Family Bank",
    "I&M Bank",
    "KCB Bank",
    "NCBA Bank",
    "National Bank of Kenya",
    "Stanbic Bank",
    "Standard Chartered Kenya",
)

# --------------------------------------------------------------------------
# 10. Teacher qualifications and Kenyan tertiary institutions.
# --------------------------------------------------------------------------
QUALIFICATIONS: tuple[tuple[str, str], ...] = (
    ("Certificate", "P1 Teacher Certificate"),
    ("Certificate", "Early Childhood Development Education Certificate"),
    ("Diploma", "Diploma in Education (Arts)"),
    ("Diploma", "Diploma in Education (Science)"),
    ("Diploma", "Diploma in Primary Teacher Education"),
    ("Diploma", "Diploma in Early Childhood Development Education"),
    ("Diploma", "Diploma in Special Needs Education"),
    ("Degree", "Bachelor of Education (Arts)"),
    ("Degree", "Bachelor of Education (Science)"),
    ("Degree", "Bachelor of Education (Early Childhood)"),
    ("Degree", "Bachelor of Education (Special Needs Education)"),
    ("Degree", "Bachelor of Arts with Education"),
    ("Degree", "Bachelor of Science with Education"),
    ("Postgraduate Diploma", "Postgraduate Diploma in Education"),
    ("Masters", "Master of Education"),
    ("Masters", "Master of Education (Educational Administration)"),
    ("Masters", "Master of Education (Curriculum Studies)"),
    ("Masters", "Master of Arts"),
    ("Masters", "Master of Science"),
    ("Doctorate", "Doctor of Philosophy (Education)"),
)

TERTIARY_INSTITUTIONS: tuple[str, ...] = (
    # Universities
    "Catholic University of Eastern Africa",
    "Chuka University",
    "Daystar University",
    "Dedan Kimathi University of Technology",
    "Egerton University",
    "Jaramogi Oginga Odinga University of Science and Technology",
    "Jomo Kenyatta University of Agriculture and Technology",
    "Kabarak University",
    "Karatina University",
    "Kenya Methodist University",
    "Kenyatta University",
    "Kibabii University",
    "Kisii University",
    "Laikipia University",
    "Maasai Mara University",
    "Machakos University",
    "Maseno University",
    "Masinde Muliro University of Science and Technology",
    "Moi University",
    "Mount Kenya University",
    "Pwani University",
    "Rongo University",
    "South Eastern Kenya University",
    "University of Eldoret",
    "University of Nairobi",
    # Teacher training colleges
    "Asumbi Teachers Training College",
    "Bondo Teachers Training College",
    "Eregi Teachers Training College",
    "Kagumo Teachers Training College",
    "Kaimosi Teachers Training College",
    "Kamwenja Teachers Training College",
    "Kericho Teachers Training College",
    "Kigari Teachers Training College",
    "Kilimambogo Teachers Training College",
    "Machakos Teachers Training College",
    "Meru Teachers Training College",
    "Migori Teachers Training College",
    "Mosoriot Teachers Training College",
    "Murang'a Teachers Training College",
    "Shanzu Teachers Training College",
    "Tambach Teachers Training College",
    "Thogoto Teachers Training College",
)
