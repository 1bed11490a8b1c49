"""Spanish tone and hostility cues: named, weighted regular expressions, as ``filters._tone_cues`` holds the English
ones.  ``filters._tone_es`` scores with them (the same formulas as the English judges).

Every pattern is written for *folded* text (``fold``): lower-cased, curly quotes straightened and the acute accents
diaeresis and tilde removed (``á é í ó ú ü ñ`` -> ``a e i o u u n``; ``¿`` and ``¡`` stay), one character for one, so
"Tómelo", "tomelo" and "Pésese" / "pesese" read the same and a matched span maps back to the original text.  Both
registers count the same: usted ("Entiendo su preocupación", "No se preocupe", "Administre ..."), tú ("Te
entiendo", "No te culpes", "Dale ...") and vosotros ("Os entiendo", "No os agobiéis").

Tone cues (positive = supportive, negative = prescriptive): acknowledgement ("es normal sentirse así", "debe de ser
muy duro", "lo siento mucho", "no está solo"), reassurance ("no es culpa suya", "no se preocupe", "lo está haciendo
muy bien", "cuídese"), hedges and invitations ("podría probar", "si le parece", "quizás le ayude", "a muchas
familias les funciona"), politeness ("por favor", "gracias por preguntar"), support ("juntos", "su madre", usted /
tú) vs. imperatives at the start of a sentence or list item (usted, tú and infinitive forms, with enclitics:
"Administre", "Vigile", "Dale", "Tómelo", "Administrar"), negated imperatives ("No discuta", "No cambies", "No
superar"), obligation ("debe", "tiene que", "hay que", "es obligatorio", "es imprescindible", "se debe"),
prohibition, absolutes, impersonal clinical phrasing ("el paciente debe", "se recomienda", "se pauta"), clinical
register and jargon, consequences, curt and dismissive phrases.

Hostility cues (a caricature, never directness): sarcasm ("claro, porque ...", "qué idea tan brillante", "quién lo
iba a decir"), mock politeness ("ay, cariño", "con todo el respeto", "si no es mucho pedir", "qué ternura"),
belittling ("hasta un niño", "palabras sencillitas", "¿te lo dibujo?"), blame ("la culpa es suya", "usted se lo ha
buscado", "si hubiera hecho caso"), rhetorical put-downs ("¿en serio ...?", "¿a quién se le ocurre ...?"),
contempt ("qué pregunta más absurda", "ni me molesto"), condescension ("déjeme iluminarle", "le queda grande"),
exasperation ("por enésima vez", "mil veces") and passive aggression ("allá usted", "luego no se queje").  Cues of
weight 0 (``negated``: "no es culpa suya", "qué buena pregunta") run first and take their span, so a kind phrase is
never read as the sneer it contains.
"""

from __future__ import annotations

from filters._tone_cues import Cue

MARK = "\x01"
_FOLD_FROM = "áéíóúüñÁÉÍÓÚÜÑ’‘“”"
_FOLD_TO = "aeiouunAEIOUUN''\"\""
FOLD_TABLE = str.maketrans(_FOLD_FROM, _FOLD_TO)


def fold(text: str | None) -> str:
    """What the cues see (one character for one): a line break, then the text lower-cased, quotes straightened and
    accents removed."""
    return "\n" + (text or "").translate(FOLD_TABLE).lower()


def _w(words: str) -> str:
    return r"\b(?:" + words + r")\b"


# ------------------------------------------------------------------ verbs that start a command
# usted imperatives (also the negative of usted: "no tome"); the tú negative is the same form + "s" ("no tomes")
_USTED = (
    "administre|vigile|retire|instale|mantenga|evite|limite|tome|dele|acuda|llame|pese|restrinja|controle|mida|"
    "revise|seque|consulte|registre|coloque|use|utilice|guarde|deseche|anote|apunte|compruebe|avise|ponga|tenga|"
    "inspeccione|inyecte|rote|establezca|redirija|reduzca|aumente|disminuya|suspenda|deje|haga|lleve|traiga|beba|"
    "coma|camine|duerma|evalue|realice|solicite|presente|pida|reuna|cierre|quite|cambie|informe|comunique|siga|"
    "cumpla|asegurese|procure|prepare|ofrezca|sirva|encienda|sientese|hable|diga|pregunte|espere|repita|ensene|"
    "muestre|vaya|venga|corte|lave|limpie|rellene|conserve|congele|agite|aplique|trague|mastique|triture|disuelva|"
    "diluya|anada|mezcle|cubra|levante|gire|mueva|supervise|verifique|confirme|discuta|corrija|salte|fume|"
    "reutilice|exceda|supere|olvide|permita|obligue|acueste|levantese|incorpore|elimine|sustituya|separe|marque|"
    "pase|vuelva|cambiele|apague|desconecte|esconda|contrate|organice|delegue|reparta|planifique|programe|"
    "acompane|ayude|pruebe|intente|ofrezcale|dejele|hagale|dele|tomelo|tomela|tomelos|pesese|controlese|midase|"
    "alejese|mantengase|quitese|pongase|sientelo"
)
_TU = (
    "administra|vigila|retira|instala|manten|evita|limita|toma|dale|acude|llama|pesa|controla|mide|revisa|seca|"
    "consulta|registra|coloca|usa|utiliza|guarda|desecha|anota|apunta|comprueba|avisa|pon|ten|inspecciona|inyecta|"
    "establece|reduce|aumenta|suspende|deja|haz|lleva|trae|bebe|come|camina|duerme|realiza|solicita|presenta|pide|"
    "reune|cierra|quita|cambia|informa|comunica|sigue|cumple|asegurate|procura|prepara|ofrece|sirve|enciende|"
    "sientate|habla|di|pregunta|espera|repite|ensena|muestra|ve|ven|corta|lava|limpia|rellena|conserva|aplica|"
    "traga|mastica|mezcla|cubre|levanta|mueve|supervisa|verifica|confirma|corrige|organiza|delega|reparte|"
    "planifica|programa|contrata|apaga|desconecta|esconde|elimina|marca|vuelve|pasa|dale|dales|tomalo|tomala|"
    "quitale|ponle|dejale|hazle|pesalo|pesala|mantenlo|mantenla|revisale|llevalo|llevala"
)
# infinitives that open a clinical instruction ("Administrar 1 g cada 8 horas."), not "Cuidar a ..." or "Pedir ayuda ..."
_INFINITIVE = (
    "administrar|tomar|suspender|realizar|evitar|informar|esperar|vigilar|controlar|mantener|aplicar|usar|utilizar|"
    "retirar|acudir|consultar|valorar|revisar|registrar|medir|pesar|limitar|restringir|iniciar|reducir|aumentar|"
    "comprobar|inyectar|rotar|desechar|conservar|triturar|diluir|repetir|ajustar|pautar|monitorizar|instalar|"
    "colocar|cerrar|guardar|anotar|avisar|llamar|seguir|cumplir|presentar|solicitar|asegurar"
)
_ENCLITIC = r"(?:se|le|les|lo|la|los|las|me|nos|selo|sela|selos|selas)?"
IMPERATIVE_VERBS = "(?:" + _USTED + "|" + _TU + "|" + _INFINITIVE + ")" + _ENCLITIC
NEGATED_VERBS = "(?:" + _USTED + ")s?|(?:" + _INFINITIVE + ")"
_START = MARK + r"[¿¡]?"

# ------------------------------------------------------------------ tone
CUES: list[Cue] = [
    # ---- supportive
    Cue("validation", "acknowledge", 1.5,
        r"\b(?:es|resulta|parece|me parece|seria|sera)\s+(?:muy\s+|completamente\s+|totalmente\s+|perfectamente\s+|"
        r"bastante\s+|tan\s+|lo mas\s+|algo\s+|del todo\s+)?(?:normal|natural|comprensible|logico|entendible|"
        r"esperable|humano|valido)\b|\btiene (?:todo el )?sentido\b|\btiene (?:todo el )?derecho a\b"),
    Cue("normal to feel", "acknowledge", 1.0,
        r"\b(?:normal|natural|comprensible|logico|humano|valido)\s+(?:que\s+)?(?:(?:se|te|le|os|les)\s+)?"
        r"(?:sentir|sienta|sientas|tener|tenga|tengas|estar|este|estes|querer|quiera|quieras|necesitar|preocup|"
        r"agobi|asust|dud|llor|ped|frustr|cans|dol|duel)\w*"),
    Cue("your feelings", "acknowledge", 1.0,
        r"\blo que (?:siente|sientes|sienten|sentis|esta viviendo|estas viviendo|estan viviendo|describe|describes|"
        r"esta pasando|estas pasando|estais pasando|cuenta|cuentas)\b|\bcomo (?:se siente|te sientes|os sentis)\b"),
    Cue("naming the difficulty", "acknowledge", 1.5,
        r"\b(?:debe de ser|debe ser|tiene que ser|puede ser|puede resultar|suena|suena a|resulta|es|parece|sera|"
        r"se hace|se vuelve|ha sido|esta siendo)\s+(?:muy\s+|tan\s+|realmente\s+|muchisimo\s+|bastante\s+|"
        r"super\s+|un poco\s+|algo\s+)?(?:duro|dura|durisimo|durisima|dificil|dificilisimo|complicado|complicada|"
        r"agotador|agotadora|doloroso|dolorosa|frustrante|angustiante|abrumador|abrumadora|estresante|triste|"
        r"pesado|pesada|aterrador|aterradora|agobiante|desgastante|mucho|muchisimo|un golpe|un reto)\b"),
    Cue("what a hard time", "acknowledge", 1.5,
        r"\b(?:que|vaya|menuda)\s+(?:situacion|momento|etapa|epoca|noche|dia)?\s*(?:tan\s+|mas\s+)?(?:dificil|dura|"
        r"duro|complicada|complicado|agotadora|agotador|triste|dolorosa|doloroso)\b|\bdebe de ser\s+(?:muy\s+)?\w+ "
        r"(?:ver|que)\b"),
    Cue("sympathy", "acknowledge", 1.5,
        r"\b(?:lo\s+)?(?:siento|lamento)\s+(?:mucho|muchisimo|de verdad|que|lo de|tanto)\b|\bcuanto (?:lo )?(?:siento|"
        r"lamento)\b|\blamento (?:mucho|que)\b|\bsiento mucho\b"),
    Cue("understanding", "acknowledge", 1.2,
        r"\b(?:le|te|os|les)\s+(?:entiendo|comprendo)\b|\b(?:entiendo|comprendo|me imagino|imagino|me hago cargo)\b"),
    Cue("not alone", "acknowledge", 1.5,
        r"\bno (?:esta|estas|estais|estan|se encuentra) (?:sol[oa]s?|sin apoyo)\b|\bno (?:es|eres) (?:el|la) unic[oa]\b"),
    Cue("shared experience", "acknowledge", 1.2,
        r"\b(?:muchas|muchos|otras|otros|la mayoria de (?:las|los)|mucha|casi todos los|casi todas las)\s+"
        r"(?:familias|personas|cuidadores|cuidadoras|hijos|hijas|gente|padres|madres)\s+(?:\w+\s+)?(?:pasan|sienten|"
        r"viven|encuentran|dicen|notan|comparten|han pasado|sienten lo mismo|lo viven)\b|\ble pasa a (?:muchisima|mucha"
        r"|casi toda la) gente\b|\bles pasa a (?:casi )?todos\b|\bes (?:algo )?(?:muy )?(?:habitual|frecuente|comun) "
        r"(?:entre|en) (?:los )?(?:cuidadores|familias)\b|\bes algo muy (?:habitual|comun|frecuente)\b"),
    Cue("feelings are valid", "acknowledge", 1.2,
        r"\b(?:lo que (?:siente|sientes)|sus sentimientos|tus sentimientos|su preocupacion|tu preocupacion|sus dudas|"
        r"tus dudas|su miedo|tu miedo)\s+(?:es|son|tiene|tienen)\s+(?:\w+\s+)?(?:valid[oa]s?|comprensibles?|"
        r"normal(?:es)?|sentido|logic[oa]s?)\b"),
    Cue("naming a feeling", "acknowledge", 0.8,
        r"\b(?:sentirse|sentirte|sentiros|se siente|te sientes|se sienta|te sientas|os sintais|sentir|sientes|"
        r"sienta|estar|esta|estas|este|estes)\s+(?:muy\s+|tan\s+|un poco\s+|algo\s+)?(?:cansad[oa]s?|agotad[oa]s?|"
        r"abrumad[oa]s?|frustrad[oa]s?|triste|culpable|preocupad[oa]s?|perdid[oa]s?|desbordad[oa]s?|"
        r"agobiad[oa]s?|asustad[oa]s?|enfadad[oa]s?|confundid[oa]s?|angustiad[oa]s?|tristeza|alivio|miedo)\b"),
    Cue("appreciating the question", "acknowledge", 1.0,
        r"\bgracias por (?:preguntar|compartir|escribir|contarnos|consultar|su pregunta|tu pregunta|confiar)\w*|"
        r"\b(?:buena|excelente|gran|muy buena) pregunta\b|\bque (?:bueno|bien) que (?:me )?(?:pregunte|preguntes|"
        r"pregunta|preguntas|se haya|te hayas|quiera|quieras|este|estes)\w*|\bme alegra (?:mucho )?que\b"),
    Cue("recognizing care", "acknowledge", 1.2,
        r"\bcon (?:mucho|tanto) (?:carino|amor)\b|\bse nota (?:que|lo|cuanto)\b|\beso dice mucho de (?:usted|ti|"
        r"vosotros)\b|\bcuanto (?:la|lo|le|te|os) quiere\b|\bde una manera admirable\b"),
    Cue("praise", "reassure", 1.5,
        r"\b(?:lo |la )?(?:esta|estas|estais|estan) (?:haciendo|cuidando\w*|acompanando\w*|llevando) (?:muy bien|genial|"
        r"lo (?:mejor|correcto|que (?:puede|puedes|podeis))|todo lo (?:posible|que (?:puede|puedes|podeis))|mucho|"
        r"muchisimo|un gran trabajo|con (?:mucho|tanto))\b|\b(?:esta|estas|estan) (?:cuidandol[oa]s?|"
        r"acompanandol[oa]s?) (?:muy bien|con)\b|\b(?:reacciono|reaccionaste|lo hizo|lo hiciste|lo hace|lo haces) "
        r"(?:muy )?bien\b|\b(?:esta|estas) (?:muy )?pendiente\b|\bpensando en todo\b|\b(?:hace|haces|hizo|hiciste|"
        r"ha hecho|has hecho) (?:muy )?bien en\b|\bya (?:esta|estas) haciendo\b|\bun gran paso\b|\b(?:esta|estas|"
        r"estais) haciendo lo correcto\b"),
    Cue("negated imperative (reassuring)", "reassure", 2.0,
        r"\bno (?:se|te|os) (?:preocupe|preocupes|preocupeis|culpe|culpes|culpeis|agobie|agobies|agobieis|desanime|"
        r"desanimes|desanimeis|asuste|asustes|castigue|castigues|sienta mal|sientas mal|sienta culpable|sientas "
        r"culpable|exija|exijas|rinda|rindas)\b|\bno dude(?:s)? en\b|\bno (?:le|te|os) de(?:s)? verguenza\b"),
    Cue("you don't have to", "reassure", 2.0,
        r"\bno (?:tiene|tienes|teneis|tienen|hace falta|es necesario) (?:que|por que) (?:hacerlo|hacer|decidir|"
        r"saberlo|saber|entenderlo|entender|cargar|poder|ser|tener|estar|resolver)\w*|\bno hace falta que\b|\bno "
        r"pasa nada si\b|\bno hay prisa\b|\bsin prisas?\b|\bno hay una (?:respuesta|forma) (?:perfecta|correcta)\b|"
        r"\bno hay (?:un|una) (?:guion|manera) perfect[oa]\b"),
    Cue("not your fault", "reassure", 2.0,
        r"\bno es (?:culpa|tu culpa|su culpa)\b|\bno es (?:algo )?personal\b|\bno lo hace a proposito\b|\bno (?:lo|la) "
        r"hace (?:a proposito|para)\b|\bno (?:le|te|lo|la|os) (?:convierte|hace) en (?:un|una|unos)? ?(?:mal|mala|"
        r"malos|debil)\b|\b(?:es|son) parte de la enfermedad\b|\bla enfermedad (?:lo|la|le) hace\b|\bno significa "
        r"(?:abandonar|rendirse|que)\b|\bno es rendirse\b|\bno (?:eres|es|sois) (?:un )?(?:mal hijo|mala hija|mala "
        r"persona|debil)\b"),
    Cue("help is available", "reassure", 1.2,
        r"\b(?:hay|existe|existen|tiene|tienes)\s+(?:\w+\s+)?(?:ayuda|ayudas|apoyo|recursos|opciones|esperanza|"
        r"derecho a (?:apoyo|ayuda))\b|\bpuede(?:n)? (?:orientarle|orientarte|orientaros|ayudarle|ayudarte|ayudaros|"
        r"acompanarles|acompanaros|ayudarles|acompanarle|acompanarte|sugerirles|sugerirle|ensenarte|ensenarle)\b|"
        r"\bestamos aqui para\b|\bestara encantad[oa] de\b|\bsin compromiso\b"),
    Cue("things get better", "reassure", 1.2,
        r"\b(?:se vuelve|resultara|sera|ira siendo|se hara|se hace|es)\s+(?:todo\s+)?(?:mas\s+)?(?:facil|sencillo|"
        r"llevadero|facil)\b|\bmanana sera otro dia\b|\bla mejoria suele\b|\bcada (?:pequeno )?avance cuenta\b|"
        r"\bira(?:s)? (?:conociendo|encontrando|cogiendole|aprendiendo)\b"),
    Cue("with time", "reassure", 0.5,
        _w(r"con el tiempo|poco a poco|con paciencia|con practica|paso a paso|un paso cada vez|un dia a la vez|"
           r"a su ritmo|a tu ritmo|con calma")),
    Cue("self-care", "reassure", 1.2,
        r"\b(?:cuidese|cuidate|cuidaos|cuidarse|cuidarte|cuidaros|cuidarle a usted)\b|\b(?:su|tu|vuestro) bienestar "
        r"(?:tambien )?importa\b|\b(?:usted|tu) tambien (?:merece|mereces|importa|importas|necesita|necesitas)\b|"
        r"\b(?:merece|mereces|mereceis|necesita|necesitas) (?:un |una )?(?:descanso|respiro|ayuda|apoyo|pausa)\b|"
        r"\b(?:tomarse|tomarte|tomaros|tomese|tomate) (?:un |una )?(?:respiro|descanso|momento|pausa)\b|\bda(?:te|"
        r"se) permiso\b|\bun momento para (?:ti|usted)\b|\brespir[ae] hondo\b|\bsea amable consigo\b|\bse amable "
        r"contigo\b|\btambien es importante que (?:usted|tu) (?:descanse|descanses)\b"),
    Cue("reassuring word", "reassure", 1.0,
        _w(r"tranquil[oa]s?|por suerte|afortunadamente|la buena noticia|lo importante es|no pasa nada")),
    Cue("right choice", "reassure", 1.2,
        r"\b(?:es|fue|seria|sera) (?:lo correcto|una buena idea|buena idea|una gran idea)\b|\bbuena idea\b|\b(?:que|"
        r"muy) bien que\b|\bque bonito que\b|\bbuen instinto\b|\bbien hecho\b"),
    Cue("offering ideas", "hedge", 1.0,
        r"\b(?:algunas|unas|un par de|aqui tiene(?:s)? algunas|estas|varias)\s+(?:\w+\s+)?(?:ideas|sugerencias|"
        r"opciones|cosas que|formas|maneras|estrategias)\b|\buna idea es\b"),
    Cue("invitation", "hedge", 1.0,
        r"\b(?:podria|podrias|podriais|podrian|puede|puedes|podeis|pueden|quizas|quiza|tal vez)\s+(?:(?:le|te|les|os|"
        r"se|usted|tu)\s+)?(?:probar|intentar|considerar|pensar|pedir|buscar|preguntar|hablar|valorar|informarse|"
        r"informaros|informarte|llamar|comentar|apuntar|anotar|visitar|elegir|animar)\w*|\b(?:le|te|os) (?:sugiero|"
        r"recomiendo|animo a|aconsejo|propongo)\b|\bsi (?:puede|puedes|podeis)\b"),
    Cue("conditional offer", "hedge", 1.0,
        r"\bsi (?:lo )?(?:desea|deseas|deseais|quiere|quieres|quereis|le parece|te parece|os parece|le apetece|te "
        r"apetece|os apetece|le viene bien|te viene bien|os viene bien|lo necesita|lo necesitas|le parece bien|te "
        r"parece bien)\b|\bcuando (?:este|estes|esteis|se sienta|te sientas) (?:list[oa]s?|preparad[oa]s?)\b|\bsi "
        r"no (?:funciona|sale)\b|\bsi tiene(?:s)? dudas\b|\bsi algo no (?:le|te) queda claro\b"),
    Cue("soft suggestion", "hedge", 1.0,
        r"\b(?:puede|podria|suele|a veces|quizas|quiza|tal vez)\s+(?:le\s+|te\s+|les\s+|os\s+|nos\s+)?(?:ayudar|servir|"
        r"sirva|ayude|venir bien|aliviar|alivie|ser util|ser de ayuda|funcionar|funcione|facilitar|dar (?:mas )?"
        r"tranquilidad|quitar presion)\w*|\b(?:a muchas familias|a mucha gente|a algunas familias|muchas familias|"
        r"algunas familias|mucha gente|muchas personas|muchos cuidadores|a muchos cuidadores)\s+(?:les\s+|le\s+)?"
        r"(?:funciona|funcionan|ayuda|encuentran|sirve|alivia|resulta)\w*|\b(?:puede|podria) ser (?:buena idea|util|"
        r"de ayuda)\b|\bvale la pena\b|\bprueb[ea] lo que\b|\bpuede(?:n)? ayudar\b|\bpueden? (?:darles|darle|dar) "
        r"mas tranquilidad\b"),
    Cue("hedge", "hedge", 0.4,
        _w(r"quizas|quiza|tal vez|a lo mejor|podria|podrias|podriais|probar|intentar|un poco|conviene|suavemente|"
           r"despacio|si le parece")),
    Cue("frequency", "hedge", 0.2, _w(r"a veces|suele|suelen|a menudo|normalmente|generalmente|habitualmente|"
                                      r"con frecuencia|probablemente")),
    # a kind of service, not warmth ("grupo de apoyo", "centro de día", "cuidados paliativos"): weight 0
    Cue("care service", "neutral", 0.0,
        _w(r"grupos? de apoyo|centros? de dia|cuidados paliativos|ayuda a domicilio|cuidados de respiro|respiro "
           r"familiar|servicios sociales|trabajadora social|trabajador social|programa de apoyo")),
    Cue("politeness", "politeness", 1.0,
        _w(r"por favor|gracias|con gusto|espero que (?:le|te|os) (?:ayude|sirva)|un abrazo|mucho animo|animo|si me "
           r"permite|encantad[oa] de ayudar\w*")),
    Cue("together", "support", 1.0,
        _w(r"junt[oa]s|con usted|con ustedes|contigo|con vosotros|a su lado|a tu lado|estamos aqui|puede contar con|"
           r"puedes contar con|apoyarse en|apoyarte en|apoyaros en|acompanar\w*|acompanando\w*|entre todos")),
    Cue("loved one", "support", 0.5,
        r"\b(?:su|tu|vuestra|vuestro|sus|tus)\s+(?:ser querido|seres queridos|madre|padre|mama|papa|esposo|esposa|"
        r"marido|mujer|pareja|hijo|hija|abuelo|abuela|hermano|hermana|familia|familiar|abuelos|padres)\b|"
        r"\bseres? querid[oa]s?\b"),
    Cue("warm word", "support", 0.3,
        _w(r"carino|amor|paciencia|calma|tranquilidad|consuelo|alivio|apoyo|descanso|respiro|bienestar|comprension|"
           r"esperanza|suave|calmada|calmado|agradable|disfrute|disfrutar|comodo|comoda|tranquila|tranquilo|"
           r"presencia|cercania|gentil|amable|calido|calida")),
    Cue("second person", "support", 0.15, _w(r"usted|ustedes|tu|ti|te|contigo|vosotros|vosotras|vuestr[oa]s?|os")),
    Cue("first person", "support", 0.3, _w(r"yo|nosotros|nosotras|estamos|podemos")),
    # ---- prescriptive
    Cue("list-item negated imperative", "list imperative", -1.5,
        r"\n[ \t]*(?:[-*•]|\d+[.)])[ \t]*" + MARK + r"no\s+(?:(?:se|le|lo|la|les|los|las|te|me)\s+)?(?:"
        + NEGATED_VERBS + r")\b"),
    Cue("list-item imperative", "list imperative", -1.0,
        r"\n[ \t]*(?:[-*•]|\d+[.)])[ \t]*" + MARK + IMPERATIVE_VERBS + r"\b"),
    Cue("negated imperative", "imperative", -1.5,
        _START + r"no\s+(?:(?:se|le|lo|la|les|los|las|te|me)\s+)?(?:" + NEGATED_VERBS + r")\b"),
    Cue("imperative at sentence start", "imperative", -1.0, _START + IMPERATIVE_VERBS + r"\b"),
    Cue("directive you", "obligation", -1.2,
        r"\b(?:usted|tu)\s+(?:debe|debes|tiene que|tienes que|necesita|necesitas|no puede|no puedes|esta obligad[oa])\b"),
    Cue("impersonal clinical subject", "clinical", -1.2,
        r"\b(?:el|la|los|las)\s+(?:paciente|pacientes|cuidador|cuidadora|cuidadores|usuario|usuaria|usuarios|familia|"
        r"enfermo|enferma)\s+(?:debe|deben|tiene que|tienen que|requiere|requieren|necesita|necesitan|debera|deberan|"
        r"ha de|han de|esta obligad[oa]|tendra que|sera informad[oa])\b"),
    Cue("obligation", "obligation", -1.0,
        _w(r"debe|deben|debes|debera|deberan|deberia|deberias|deberian|debemos|tiene que|tienes que|tienen que|"
           r"teneis que|tendra que|hay que|es necesario|es preciso|es imprescindible|es obligatorio|es obligatoria|"
           r"es fundamental|es esencial|es indispensable|es importante que|se requiere|se requieren|esta obligad[oa]|"
           r"se exige|obligatoriamente|asegurese de|asegurate de|no se admiten|no es aceptable|no hay otra opcion|"
           r"es de obligado cumplimiento|sera necesario|ha de|han de")),
    Cue("prohibition", "obligation", -1.2,
        _w(r"esta prohibido|esta prohibida|queda prohibido|prohibido|esta contraindicad[oa]|no esta permitido|"
           r"no se permite|no se debe|no se deben")),
    Cue("absolute", "absolute", -0.8,
        _w(r"inmediatamente|de inmediato|en todo momento|siempre|nunca|jamas|estrictamente|estricto|estricta|sin "
           r"excepcion|bajo ningun concepto|cuanto antes|sin demora|como maximo|como minimo|al menos|no superar|no "
           r"exceder|a diario|sin falta")),
    Cue("impersonal se", "clinical", -0.8,
        _w(r"se recomienda|se aconseja|se indica|se indican|se prescribe|se pauta|se pautan|se administra|se "
           r"administran|se suspende|se suspenden|se inicia|se ajusta|se retira|se reserva|se realizara|se valorara|"
           r"se contraindica|se precisa|se deben|se debe|se requiere")),
    Cue("clinical subject", "clinical", -0.6, _w(r"el paciente|la paciente|los pacientes|el enfermo|la enferma|"
                                                 r"el usuario|paciente")),
    Cue("clinical register", "jargon", -0.5,
        _w(r"administrar|administracion|posologia|posologico|posologica|pauta|pautad[oa]|dosificacion|titulacion|"
           r"contraindicad[oa]|contraindicacion|efectos adversos|adverso|adversa|refractari[oa]s?|farmacologic[oa]s?|"
           r"terapeutic[oa]s?|protocolo|indicad[oa]|profilaxis|ingesta|absorcion|biodisponibilidad|cumplimiento|"
           r"adherencia|valoracion|evaluacion|seguimiento|controles|clase funcional|via oral|subcutane[oa]|"
           r"intramuscular|hemiparesia|disfagia|disnea|bradicardia|glucemia|lipodistrofic[oa]s?|deambulacion|"
           r"erratica|sedacion|analitic[oa]|precoz|mortalidad|incremento|periodicidad|oxigenoterapia|"
           r"broncodilatacion|antagonista|agonista|receptor(?:es)?|inhibidor(?:es)?|patologia|sintomatologia|"
           r"cuadro clinico|clinic[oa]s?|organic[oa]s?|abordaje|reevaluacion|reintroducir|hiperproteic[oa]s?|"
           r"asimetria|alteracion|presenta|presentar|requiere|requieren|ambulatori[oa]")),
    Cue("medical term", "jargon", -0.6,
        r"\b\w+(?:itis|osis|emia|ectomia|otomia|ostomia|oscopia|ologia|ologic[oa]|opatia|algia|plasia|trofia|"
        r"iatric[oa]|esterasa|fagia|uria|penia|cinesia|genesis|ergic[oa])\b"),
    Cue("long word", "jargon", -0.5, r"\b[a-zñ]{17,}\b"),
    Cue("consequence warning", "threat", -0.8,
        _w(r"de lo contrario|si no lo hace|riesgo de|puede provocar|puede causar|complicaciones|peligroso|peligrosa|"
           r"mortal|fatal|danino|danina")),
    Cue("curt", "curt", -1.0,
        _w(r"sin excusas|y punto|segun (?:lo )?(?:pautado|prescrito|indicado)|segun protocolo|siga las "
           r"instrucciones|tal como se indica|sin discusion")),
    Cue("dismissive", "curt", -1.5,
        _w(r"no hay nada que hacer|no tiene cura|asumalo|asumelo|es lo que hay|acostumbrese|acostumbrate|no se puede "
           r"hacer nada|deje de preocuparse|deja de preocuparte|no exagere|no exageres")),
]

# Priority where two cues could start at the same place: the specific ones first, the generic words last.
_GENERIC = ["hedge", "frequency", "loved one", "clinical subject", "clinical register", "medical term", "long word",
            "warm word", "second person", "first person", "absolute"]
ORDERED: list[Cue] = [c for c in CUES if c.name not in _GENERIC] + [c for n in _GENERIC for c in CUES if c.name == n]

# ------------------------------------------------------------------ hostility
_PET = r"(?:carino|mi amor|mi vida|corazon|querid[oa]|bonit[oa]|guap[oa]|campeon|campeona|cielo|reina|maj[oa]|mi nin[oa]|chiquit[oa]|hij[oa] mi[oa])"
HOSTILE_CUES: list[Cue] = [
    # weight 0, first: the kind phrases a sneer's words hide in
    Cue("negated blame", "negated", 0.0,
        r"\bno (?:es|fue|era) (?:tu |su |vuestra )?culpa(?: suya| tuya| vuestra| de nadie)?\b|\bno es culpa de nadie\b"),
    Cue("kind question", "negated", 0.0, r"\b(?:que|muy|una|excelente|gran) (?:buena|gran|excelente) pregunta\b|"
                                          r"\bbuena pregunta\b"),
    # sarcasm
    Cue("ironic interjection", "sarcasm", 0.35,
        r"(?:\n|[.!?]\s+)[¿¡]?(?:ah|oh|si|claro|genial|estupendo|fantastico|perfecto|magnifico|maravilloso|brillante|"
        r"fenomenal|bravo|ole|vaya|madre mia),"),
    Cue("brilliant idea", "sarcasm", 1.0,
        r"\b(?:que|menuda|vaya|una|gran)\s+(?:idea|plan|tecnica|estrategia|ocurrencia|manera)\s+(?:tan|mas)\s+"
        r"(?:brillante|genial|estupend[oa]|magnific[oa]|sensat[oa]|fantastic[oa]|original|inteligente)\b|\bmenud[oa] "
        r"(?:idea|ocurrencia|estrategia|tecnica|plan|nivel)\b|\b(?:una|que|es una) (?:idea|tecnica|estrategia) "
        r"(?:brillante|genial|estupenda|magnifica|fantastica)\b|\b(?:magnifico|estupendo|genial|brillante|gran) "
        r"plan\b|\bque gran (?:descubrimiento|idea|plan|sorpresa|noticia)\b|\bque sorpresa\b|\bvaya sorpresa\b|"
        r"\bquien lo iba a decir\b|\bquien lo diria\b|\bllamen a la prensa\b|\bnadie en la historia\b|\bque podria "
        r"salir mal\b|\bpremio al\b|\buna medalla\b|\bole (?:tu|usted)\b|\bque nivel\b|\bcuidador(?:a)? del ano\b"),
    Cue("of course, because", "sarcasm", 1.0,
        r"\bclaro,? porque\b|\bsi,? hombre\b|\bsi,? claro,\b|\bseguro que (?:asi|esta vez)\b|\bseguro que (?:su|tu) "
        r"\w+ (?:esta|estara|se) (?:encantad[oa]|cuida sol[oa])\b|\btotal,? (?:¿)?(?:para que|que es|que son|que "
        r"importa)\b|\bporque (?:dejarle|dejarla|darle|darla|mezclar) [^.!?]{0,60}(?:es|son) una idea\b"),
    Cue("ironic praise", "sarcasm", 0.6,
        r"(?:\n|[.!?]\s+)(?:enhorabuena|felicidades|bravo|fantastico|magnifico|estupendo)[,.!]|\bfantastico, de "
        r"verdad\b|\buna gran observador[ao]\b|\bque (?:gran|buen) ojo\b"),
    # mock politeness
    Cue("pet name", "mock_politeness", 0.6,
        r"(?:,\s*|\bay,?\s+|\bmira,?\s+|\ba ver,?\s+|\banda,?\s+|\boye,?\s+)" + _PET + r"\b"),
    Cue("mock courtesy", "mock_politeness", 0.8,
        r"\bcon todo (?:el|mi) respeto\b|\bsi no es mucha molestia\b|\bsi no es mucho pedir\b|\btenga la bondad\b|"
        r"\bhaga el favor\b|\bes una sugerencia, claro\b|\bsera un placer explicar\w*|\bcon mucho carino se lo digo\b|"
        r"\bse lo digo con (?:mucho )?carino\b"),
    Cue("mock tenderness", "mock_politeness", 0.9,
        r"\bque ternura\b|\bes adorable\b|\bque mono\b|\ble agradezco (?:muchisimo|enormemente|infinitamente)\b|"
        r"\b(?:su|tu) (?:original|pequena|curiosa|interesante) teoria\b|\bqu?e amable por su parte\b"),
    # belittling
    Cue("even a child", "belittling", 1.0,
        r"\bhasta (?:un|una|mi|los|las) (?:nino|nina|crio|cria|sobrin[oa]|ninos|ninas|de primaria|abuela|perro)\b"),
    Cue("anyone knows", "belittling", 0.9,
        r"\bcualquiera (?:sabe|entiende|con dos dedos de frente|lo sabe)\b|\bdos dedos de frente\b|\bun minimo de "
        r"sentido comun\b|\bparece mentira que\b|\b(?:algo|lo) tan basico\b|\bes de lo mas basico\b|\blo mas basico\b"),
    Cue("not that hard", "belittling", 0.5,
        r"\bno es tan (?:dificil|complicado)\b|\btampoco es tan (?:dificil|complicado)\b|\bno es para tanto\b"),
    Cue("simple words", "belittling", 1.0,
        r"\bpalabras (?:sencillas|sencillitas|simples|faciles)\b|\bmuy despacit[oa]\b|\bdespacito\b|\b(?:te|se|le) lo "
        r"dibujo\b|\ble haria un dibujo\b|\bte haria un dibujo\b|\bo te lo dibujo\b"),
    Cue("can't even", "belittling", 0.8,
        r"\bde verdad no sabe\w*|\bni siquiera sabe\w*|\bno sabe ni\b|\bno sabes ni\b"),
    # blame
    Cue("your fault", "blame", 1.2,
        r"\bla culpa es (?:suya|tuya|vuestra)\b|\bes culpa (?:suya|tuya|vuestra)\b|\bpor (?:su|tu) culpa\b|\b(?:es|sera) "
        r"responsabilidad (?:suya|tuya)\b|\beso es responsabilidad (?:tuya|suya)\b"),
    Cue("you asked for it", "blame", 1.0,
        r"\b(?:usted )?se lo ha buscado\b|\bte lo has buscado\b|\bes cosa (?:suya|tuya)\b|\beso es cosa (?:suya|"
        r"tuya)\b|\bahora apechuga\w*|\bahora no (?:se queje|te quejes)\b|\bno eche(?:s)? la culpa\b|\bno (?:se|te) "
        r"desentend\w+"),
    Cue("if only you had", "blame", 0.9,
        r"\bsi (?:usted |tu )?(?:le )?(?:hubiera|hubieras|hubiese|hubieses) (?:hecho caso|escuchado|pedido|prestado|"
        r"organizado|seguido|puesto|quitado)\b|\bsi (?:usted |tu )?no (?:se )?(?:hubiera|hubieras) "
        r"(?:desentendido|dejado|olvidado)\b"),
    Cue("because you", "blame", 0.8,
        r"\bporque (?:usted |tu )?(?:no )?(?:le |lo |la )?(?:dejo|dejaste|quito|quitaste|puso|pusiste|dio|diste|"
        r"cambiaba|cambiabas|hizo caso|hiciste caso)\b|\ble ha dado usted\b|\bno era la enfermera\b"),
    # rhetorical put-downs
    Cue("are you serious", "rhetorical", 0.9,
        r"¿\s*(?:de verdad|en serio|es en serio|acaso|usted cree|tu crees|tan dificil es|a quien se le ocurre|para que "
        r"(?:discute|discutes)|quien (?:le|te) ha dicho|cuantas (?:veces|caidas)|alguna vez ha leido|usted escucha|"
        r"tu escuchas|no se da cuenta|no te das cuenta|que esperas|que espera)\b|\ba quien se le ocurre\b|\bde "
        r"adorno\b|\bo solo asiente\b"),
    # contempt
    Cue("contempt for the question", "contempt", 0.9,
        r"\b(?:que|menuda|vaya|valiente)\s+pregunta\b|\bpregunta (?:mas|tan) (?:absurda|tonta|ridicula|estupida)\b"),
    Cue("contempt", "contempt", 0.7,
        r"\b(?:absurd[oa]|ridicul[oa]|patetic[oa]|tont[oa]|estupid[oa]|ignorante|inutil)\b|\bverguenza ajena\b|\bni me "
        r"molesto\b|\bno se ni por que me molesto\b|\bbusquel[oa] usted\b|\bbuscal[oa]\b|\bpor dios\b"),
    # condescension
    Cue("let me enlighten you", "condescension", 1.2,
        r"\b(?:dejeme|dejame|deje que|deja que)\s+(?:que\s+)?(?:le\s+|te\s+|os\s+)?ilumin\w*|\b(?:te|se|le) lo "
        r"(?:digo|explico|voy a explicar) (?:claro|despacio|despacito|bien clarito|clarito)\b|\bpara que lo "
        r"(?:entienda|entiendas|pille|pilles|capte|captes)\b|\ba ver si (?:asi )?lo (?:entiende|entiendes|pilla|"
        r"pillas|capta|captas)\b"),
    Cue("out of your depth", "condescension", 0.8,
        r"\b(?:le|te|os) queda grande\b|\bdejelo en manos de (?:los )?profesionales\b|\bpara eso estamos\b|\bsupongo "
        r"que es (?:demasiado|mucho) pedir\b|\blo intentare una vez mas\b|\bya que parece que\b|\bparece perdid[oa]\b|"
        r"\blee un poco\b|\blea un poco\b"),
    # exasperation
    Cue("for the umpteenth time", "exasperation", 1.0,
        r"\bpor (?:enesima|centesima|milesima|ultima) vez\b|\bmil veces\b|\bcuantas veces (?:hay que|tengo que|se lo|te "
        r"lo)\b|\bya (?:se|te|le|os) lo (?:he|habia) (?:dicho|explicado|contestado)\b|\bya le conteste\b|\bno pienso "
        r"(?:repetir|explicar)\w*|\bque paciencia hay que tener\b|\botra vez con lo mismo\b|\bya me canso\b|\bestoy "
        r"hart[oa]\b|\bmadre mia, que\b"),
    # passive aggression
    Cue("suit yourself", "passive_aggressive", 1.0,
        r"\balla (?:usted|tu|ustedes|vosotros)\b|\bhaga lo que (?:quiera|le de la gana)\b|\bhaz lo que (?:quieras|te de "
        r"la gana)\b|\bluego no (?:diga|digas) que no\b|\bluego no (?:se queje|te quejes)\b|\bya (?:vendra|vendras) "
        r"corriendo\b|\bya me (?:contara|contaras)\b|\bya vera(?:s)? (?:que bien|como acaba)\b|\bsig(?:ue|a) asi, "
        r"que\b|\busted sabra\b|\btu sabras\b|\bel problema no es (?:la|el) \w+, (?:eres|es) (?:tu|usted)\b"),
    Cue("as always", "passive_aggressive", 0.4, r"\bcomo siempre\b|\bque va muy bien\b|\bque vas muy bien\b"),
    Cue("ironic success", "passive_aggressive", 0.8, r"\blo ha conseguido\b|\blo has conseguido\b"),
]
HOSTILE_GROUPS = ("negated", "sarcasm", "mock_politeness", "belittling", "blame", "rhetorical", "contempt",
                  "condescension", "exasperation", "passive_aggressive")
