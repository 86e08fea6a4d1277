"""Words of the public pages, the press room, their e-mails and the feeds, in nl, fr, de and en.

Kept here rather than in the Babel catalogs that the console uses: these pages are read by
worried families, passers-by and journalists, so each language is written out in full and
reviewed as a whole, and a test checks that every key exists in every language. The words of
the posters (headline, labels of the facts) come from posters/labels.py and are not repeated.
Placeholders are `str.format` fields; values are escaped by the templates, never here.
"""

from __future__ import annotations

from collections.abc import Mapping

from alerts.i18n import LANGUAGES

TEXTS: Mapping[str, Mapping[str, str]] = {
    # --- the case page -----------------------------------------------------------------------
    "language": {"nl": "Taal", "fr": "Langue", "de": "Sprache", "en": "Language"},
    "seen_named": {
        "nl": "Hebt u {name} gezien?",
        "fr": "Avez-vous vu {name} ?",
        "de": "Haben Sie {name} gesehen?",
        "en": "Have you seen {name}?",
    },
    "photo_alt": {
        "nl": "Foto van {name}",
        "fr": "Photo de {name}",
        "de": "Foto von {name}",
        "en": "Photo of {name}",
    },
    "photo_alt_unnamed": {
        "nl": "Foto van het kind",
        "fr": "Photo de l'enfant",
        "de": "Foto des Kindes",
        "en": "Photo of the child",
    },
    "emergency": {
        "nl": "Is het kind nu in gevaar? Bel 112.",
        "fr": "L'enfant est en danger en ce moment ? Appelez le 112.",
        "de": "Ist das Kind jetzt in Gefahr? Rufen Sie 112 an.",
        "en": "Is the child in danger right now? Call 112.",
    },
    "appearance": {
        "nl": "Uiterlijk",
        "fr": "Signalement",
        "de": "Aussehen",
        "en": "Appearance",
    },
    "sighting_soon": {
        "nl": "Binnenkort kunt u hier ook online een waarneming melden. Bel tot dan {hotline} "
        "en vermeld referentie {reference}.",
        "fr": "Vous pourrez bientôt signaler aussi une observation en ligne ici. D'ici là, "
        "appelez le {hotline} en mentionnant la référence {reference}.",
        "de": "Bald können Sie hier auch online einen Hinweis melden. Rufen Sie bis dahin "
        "{hotline} an und nennen Sie die Referenz {reference}.",
        "en": "Soon you will also be able to report a sighting online here. Until then, please "
        "call {hotline} and mention reference {reference}.",
    },
    "sighting_tips": {
        "nl": "Vertel ons waar en wanneer u het kind zag, met wie, en welke kant het op ging.",
        "fr": "Dites-nous où et quand vous avez vu l'enfant, avec qui, et dans quelle direction.",
        "de": "Sagen Sie uns, wo und wann Sie das Kind gesehen haben, mit wem und in welche "
        "Richtung es ging.",
        "en": "Tell us where and when you saw the child, who they were with, and which way "
        "they went.",
    },
    "downloads": {
        "nl": "Affiches en afbeeldingen",
        "fr": "Affiches et images",
        "de": "Plakate und Bilder",
        "en": "Posters and images",
    },
    "downloads_regional": {
        "nl": "Hang de officiële affiche op in de buurt, maar zet deze oproep niet op sociale "
        "media.",
        "fr": "Affichez l'avis officiel dans la région, mais ne le publiez pas sur les réseaux "
        "sociaux.",
        "de": "Hängen Sie das offizielle Plakat in der Umgebung auf, aber veröffentlichen Sie "
        "diesen Aufruf nicht in sozialen Medien.",
        "en": "Put the official poster up in the area, but please do not post this appeal on "
        "social media.",
    },
    "downloads_public": {
        "nl": "Hang de officiële affiche op of deel de afbeelding. Verwijs altijd naar deze "
        "pagina: zo ziet iedereen meteen wanneer de oproep wordt ingetrokken.",
        "fr": "Affichez l'avis officiel ou partagez l'image. Renvoyez toujours vers cette "
        "page : chacun verra ainsi tout de suite quand l'avis est retiré.",
        "de": "Hängen Sie das offizielle Plakat auf oder teilen Sie das Bild. Verlinken Sie "
        "immer auf diese Seite: So sieht jeder sofort, wenn der Aufruf zurückgezogen wird.",
        "en": "Put the official poster up or share the image. Always link to this page, so "
        "that everyone sees at once when the appeal is withdrawn.",
    },
    "discreet": {
        "nl": "Deze oproep wordt discreet verspreid onder vrijwilligers in de buurt. Deel deze "
        "pagina niet publiek, ook niet op sociale media.",
        "fr": "Cet avis est diffusé discrètement auprès de bénévoles de la région. Ne partagez "
        "pas cette page publiquement, ni sur les réseaux sociaux.",
        "de": "Dieser Aufruf wird diskret an Freiwillige in der Umgebung verteilt. Bitte teilen "
        "Sie diese Seite nicht öffentlich, auch nicht in sozialen Medien.",
        "en": "This appeal is shared discreetly with volunteers in the area. Please do not "
        "share this page publicly, including on social media.",
    },
    "other_languages": {
        "nl": "Andere talen",
        "fr": "Autres langues",
        "de": "Andere Sprachen",
        "en": "Other languages",
    },
    "poster": {"nl": "Affiche", "fr": "Affiche", "de": "Plakat", "en": "Poster"},
    "poster_bilingual": {
        "nl": "Tweetalige affiche",
        "fr": "Affiche bilingue",
        "de": "Zweisprachiges Plakat",
        "en": "Bilingual poster",
    },
    "square": {
        "nl": "Afbeelding voor berichten",
        "fr": "Image pour les publications",
        "de": "Bild für Beiträge",
        "en": "Image for posts",
    },
    "story": {
        "nl": "Afbeelding voor stories",
        "fr": "Image pour les stories",
        "de": "Bild für Storys",
        "en": "Image for stories",
    },
    "official": {
        "nl": "Officiële oproep van {organisation}, uitgegeven op {date}.",
        "fr": "Avis officiel de {organisation}, émis le {date}.",
        "de": "Offizieller Aufruf von {organisation}, ausgegeben am {date}.",
        "en": "Official appeal by {organisation}, issued on {date}.",
    },
    # --- the notices: withdrawn (410), unknown (404) --------------------------------------------
    "withdrawn_title": {
        "nl": "Oproep ingetrokken",
        "fr": "Avis retiré",
        "de": "Aufruf zurückgezogen",
        "en": "Alert withdrawn",
    },
    "withdrawn": {
        "nl": "Deze oproep is ingetrokken. Bedankt voor uw hulp.",
        "fr": "Cet avis a été retiré. Merci pour votre aide.",
        "de": "Dieser Aufruf wurde zurückgezogen. Vielen Dank für Ihre Hilfe.",
        "en": "This alert has been withdrawn. Thank you for your help.",
    },
    "withdrawn_remove": {
        "nl": "Hebt u de oproep afgedrukt of gedeeld? Haal hem dan weg.",
        "fr": "Si vous l'avez imprimé ou partagé, merci de le retirer.",
        "de": "Wenn Sie ihn ausgedruckt oder geteilt haben, entfernen Sie ihn bitte.",
        "en": "If you printed or shared it, please take it down.",
    },
    "not_found_title": {
        "nl": "Pagina niet gevonden",
        "fr": "Page introuvable",
        "de": "Seite nicht gefunden",
        "en": "Page not found",
    },
    "not_found": {
        "nl": "Deze pagina bestaat niet. Controleer het adres.",
        "fr": "Cette page n'existe pas. Vérifiez l'adresse.",
        "de": "Diese Seite gibt es nicht. Bitte prüfen Sie die Adresse.",
        "en": "This page does not exist. Please check the address.",
    },
    # --- the press room -------------------------------------------------------------------------
    "press_title": {
        "nl": "Perskamer",
        "fr": "Espace presse",
        "de": "Pressebereich",
        "en": "Press room",
    },
    "press_intro": {
        "nl": "Hier vindt u de officiële affiches, afbeeldingen en teksten van de openbare "
        "oproepen van {organisation}. Gebruik alleen dit officiële materiaal en verwijs altijd "
        "naar de pagina van de oproep. Wordt een oproep ingetrokken, dan vragen wij u het "
        "materiaal meteen te verwijderen: de privacy van het kind hangt ervan af.",
        "fr": "Vous trouverez ici les affiches, images et textes officiels des avis publics de "
        "{organisation}. N'utilisez que ce matériel officiel et renvoyez toujours vers la page "
        "de l'avis. Lorsqu'un avis est retiré, nous vous demandons de retirer aussitôt le "
        "matériel : la vie privée de l'enfant en dépend.",
        "de": "Hier finden Sie die offiziellen Plakate, Bilder und Texte der öffentlichen "
        "Aufrufe von {organisation}. Verwenden Sie nur dieses offizielle Material und verlinken "
        "Sie immer auf die Seite des Aufrufs. Wird ein Aufruf zurückgezogen, bitten wir Sie, "
        "das Material sofort zu entfernen: Die Privatsphäre des Kindes hängt davon ab.",
        "en": "Here you find the official posters, images and texts of the public alerts of "
        "{organisation}. Please use only this official material and always link to the "
        "alert's page. When an alert is withdrawn, we will ask you to remove the material at "
        "once: the child's privacy depends on it.",
    },
    "press_none": {
        "nl": "Er zijn op dit moment geen openbare oproepen.",
        "fr": "Il n'y a aucun avis public en ce moment.",
        "de": "Derzeit gibt es keine öffentlichen Aufrufe.",
        "en": "There are no public alerts at the moment.",
    },
    "press_locked": {
        "nl": "Registreer u hieronder om het materiaal te downloaden.",
        "fr": "Inscrivez-vous ci-dessous pour télécharger le matériel.",
        "de": "Registrieren Sie sich unten, um das Material herunterzuladen.",
        "en": "Register below to download the material.",
    },
    "press_signed_in": {
        "nl": "U bent geregistreerd voor {outlet}. Uw downloads worden bijgehouden, zodat wij u "
        "kunnen verwittigen wanneer een oproep wordt ingetrokken.",
        "fr": "Vous êtes inscrit·e pour {outlet}. Vos téléchargements sont enregistrés afin que "
        "nous puissions vous prévenir lorsqu'un avis est retiré.",
        "de": "Sie sind für {outlet} registriert. Ihre Downloads werden erfasst, damit wir Sie "
        "benachrichtigen können, wenn ein Aufruf zurückgezogen wird.",
        "en": "You are registered for {outlet}. Your downloads are recorded so that we can tell "
        "you when an alert is withdrawn.",
    },
    "open_alert": {
        "nl": "Pagina van de oproep",
        "fr": "Page de l'avis",
        "de": "Seite des Aufrufs",
        "en": "Alert page",
    },
    "texts": {
        "nl": "Teksten om over te nemen",
        "fr": "Textes à reprendre",
        "de": "Texte zur Übernahme",
        "en": "Texts to copy",
    },
    "text_long": {
        "nl": "Lange tekst (Facebook, website)",
        "fr": "Texte long (Facebook, site web)",
        "de": "Langer Text (Facebook, Website)",
        "en": "Long text (Facebook, website)",
    },
    "text_short": {
        "nl": "Korte tekst (X)",
        "fr": "Texte court (X)",
        "de": "Kurzer Text (X)",
        "en": "Short text (X)",
    },
    "register_title": {
        "nl": "Registreren als journalist",
        "fr": "Inscription pour les journalistes",
        "de": "Registrierung für Medienschaffende",
        "en": "Register as a journalist",
    },
    "register_intro": {
        "nl": "Downloads zijn voorbehouden aan geregistreerde media. Wij sturen u een "
        "bevestigingslink per e-mail.",
        "fr": "Les téléchargements sont réservés aux médias inscrits. Nous vous envoyons un "
        "lien de confirmation par e-mail.",
        "de": "Downloads sind registrierten Medien vorbehalten. Wir senden Ihnen einen "
        "Bestätigungslink per E-Mail.",
        "en": "Downloads are for registered media. We will e-mail you a confirmation link.",
    },
    "field_outlet": {"nl": "Medium", "fr": "Média", "de": "Medium", "en": "Outlet"},
    "field_name": {"nl": "Uw naam", "fr": "Votre nom", "de": "Ihr Name", "en": "Your name"},
    "field_email": {
        "nl": "E-mailadres",
        "fr": "Adresse e-mail",
        "de": "E-Mail-Adresse",
        "en": "E-mail address",
    },
    "register_button": {
        "nl": "Stuur mij een bevestigingslink",
        "fr": "M'envoyer un lien de confirmation",
        "de": "Bestätigungslink senden",
        "en": "Send me a confirmation link",
    },
    "register_sent": {
        "nl": "Kijk in uw mailbox. Als dit adres gebruikt kan worden, hebben wij u een "
        "bevestigingslink gestuurd. De link is 48 uur geldig.",
        "fr": "Consultez votre boîte mail. Si cette adresse peut être utilisée, nous vous avons "
        "envoyé un lien de confirmation, valable 48 heures.",
        "de": "Sehen Sie in Ihrem Postfach nach. Wenn diese Adresse verwendet werden kann, haben "
        "wir Ihnen einen Bestätigungslink gesendet. Der Link ist 48 Stunden gültig.",
        "en": "Check your inbox. If this address can be used, we have sent you a confirmation "
        "link. The link is valid for 48 hours.",
    },
    "register_invalid": {
        "nl": "Vul uw medium en een geldig e-mailadres in.",
        "fr": "Indiquez votre média et une adresse e-mail valide.",
        "de": "Geben Sie Ihr Medium und eine gültige E-Mail-Adresse an.",
        "en": "Please enter your outlet and a valid e-mail address.",
    },
    "form_expired": {
        "nl": "Het formulier is verlopen. Probeer het opnieuw.",
        "fr": "Le formulaire a expiré. Veuillez réessayer.",
        "de": "Das Formular ist abgelaufen. Bitte versuchen Sie es erneut.",
        "en": "The form has expired. Please try again.",
    },
    "too_many": {
        "nl": "Te veel aanvragen. Probeer het later opnieuw.",
        "fr": "Trop de demandes. Veuillez réessayer plus tard.",
        "de": "Zu viele Anfragen. Bitte versuchen Sie es später erneut.",
        "en": "Too many requests. Please try again later.",
    },
    "mail_down": {
        "nl": "Wij kunnen nu geen e-mail versturen. Probeer het later opnieuw.",
        "fr": "Nous ne pouvons pas envoyer d'e-mail pour le moment. Veuillez réessayer plus tard.",
        "de": "Wir können gerade keine E-Mail senden. Bitte versuchen Sie es später erneut.",
        "en": "We cannot send e-mail right now. Please try again later.",
    },
    "confirm_title": {
        "nl": "Registratie bevestigen",
        "fr": "Confirmer l'inscription",
        "de": "Registrierung bestätigen",
        "en": "Confirm your registration",
    },
    "confirm_intro": {
        "nl": "Bevestig uw registratie om materiaal uit de perskamer te downloaden.",
        "fr": "Confirmez votre inscription pour télécharger le matériel de l'espace presse.",
        "de": "Bestätigen Sie Ihre Registrierung, um Material aus dem Pressebereich "
        "herunterzuladen.",
        "en": "Confirm your registration to download material from the press room.",
    },
    "confirm_button": {"nl": "Bevestigen", "fr": "Confirmer", "de": "Bestätigen", "en": "Confirm"},
    "confirm_invalid": {
        "nl": "Deze link is ongeldig of verlopen. Registreer u opnieuw.",
        "fr": "Ce lien n'est pas valide ou a expiré. Veuillez vous réinscrire.",
        "de": "Dieser Link ist ungültig oder abgelaufen. Bitte registrieren Sie sich erneut.",
        "en": "This link is invalid or has expired. Please register again.",
    },
    "sign_out": {"nl": "Afmelden", "fr": "Se déconnecter", "de": "Abmelden", "en": "Sign out"},
    "download_refused": {
        "nl": "Alleen geregistreerde journalisten kunnen materiaal uit de perskamer downloaden.",
        "fr": "Seuls les journalistes inscrits peuvent télécharger le matériel de l'espace presse.",
        "de": "Nur registrierte Medienschaffende können Material aus dem Pressebereich "
        "herunterladen.",
        "en": "Only registered journalists can download material from the press room.",
    },
    # --- e-mails --------------------------------------------------------------------------------
    "confirm_subject": {
        "nl": "Bevestig uw registratie voor de perskamer",
        "fr": "Confirmez votre inscription à l'espace presse",
        "de": "Bestätigen Sie Ihre Registrierung für den Pressebereich",
        "en": "Confirm your press room registration",
    },
    "confirm_body": {
        "nl": "Goedendag,\n\nDit e-mailadres werd opgegeven voor de perskamer van "
        "{organisation}. Open deze link binnen 48 uur om uw registratie te bevestigen:\n\n"
        "{link}\n\nHebt u dit niet gevraagd? Negeer dan deze e-mail; er gebeurt niets.\n\n"
        "{organisation}",
        "fr": "Bonjour,\n\nCette adresse e-mail a été indiquée pour l'espace presse de "
        "{organisation}. Ouvrez ce lien dans les 48 heures pour confirmer votre inscription :"
        "\n\n{link}\n\nVous n'êtes pas à l'origine de cette demande ? Ignorez cet e-mail ; "
        "rien ne se passera.\n\n{organisation}",
        "de": "Guten Tag,\n\ndiese E-Mail-Adresse wurde für den Pressebereich von "
        "{organisation} angegeben. Öffnen Sie diesen Link innerhalb von 48 Stunden, um Ihre "
        "Registrierung zu bestätigen:\n\n{link}\n\nHaben Sie das nicht veranlasst? Dann "
        "ignorieren Sie diese E-Mail; es geschieht nichts.\n\n{organisation}",
        "en": "Hello,\n\nThis e-mail address was given for the press room of {organisation}. "
        "Open this link within 48 hours to confirm your registration:\n\n{link}\n\nDid not "
        "ask for this? Ignore this e-mail; nothing will happen.\n\n{organisation}",
    },
    "removal_subject": {
        "nl": "Verzoek tot verwijdering: oproep {reference} is ingetrokken",
        "fr": "Demande de retrait : l'avis {reference} a été retiré",
        "de": "Bitte um Entfernung: Aufruf {reference} wurde zurückgezogen",
        "en": "Removal request: alert {reference} has been withdrawn",
    },
    "removal_body": {
        "nl": "Goedendag,\n\nDe oproep {reference} ({url}) is ingetrokken.\n\nU hebt materiaal "
        "van deze oproep uit onze perskamer gedownload: {files}.\n\nVerwijder deze affiches, "
        "afbeeldingen en teksten zo snel mogelijk uit uw publicaties, websites, archieven en "
        "berichten op sociale media, en publiceer ze niet opnieuw.\n\nBedankt voor uw hulp.\n\n"
        "{organisation}",
        "fr": "Bonjour,\n\nL'avis {reference} ({url}) a été retiré.\n\nVous avez téléchargé du "
        "matériel de cet avis dans notre espace presse : {files}.\n\nMerci de retirer au plus "
        "vite ces affiches, images et textes de vos publications, sites web, archives et "
        "messages sur les réseaux sociaux, et de ne plus les publier.\n\nMerci pour votre "
        "aide.\n\n{organisation}",
        "de": "Guten Tag,\n\nder Aufruf {reference} ({url}) wurde zurückgezogen.\n\nSie haben "
        "Material dieses Aufrufs aus unserem Pressebereich heruntergeladen: {files}.\n\nBitte "
        "entfernen Sie diese Plakate, Bilder und Texte so bald wie möglich aus Ihren "
        "Veröffentlichungen, Websites, Archiven und Beiträgen in sozialen Medien und "
        "veröffentlichen Sie sie nicht erneut.\n\nVielen Dank für Ihre Hilfe.\n\n{organisation}",
        "en": "Hello,\n\nThe alert {reference} ({url}) has been withdrawn.\n\nYou downloaded "
        "material of this alert from our press room: {files}.\n\nPlease remove these posters, "
        "images and texts from your publications, websites, archives and social media posts "
        "as soon as possible, and do not publish them again.\n\nThank you for your help.\n\n"
        "{organisation}",
    },
    # --- the feeds ------------------------------------------------------------------------------
    "feed_title": {
        "nl": "Openbare oproepen van {organisation}",
        "fr": "Avis publics de {organisation}",
        "de": "Öffentliche Aufrufe von {organisation}",
        "en": "Public alerts of {organisation}",
    },
    "event": {
        "nl": "Vermist kind",
        "fr": "Enfant disparu",
        "de": "Vermisstes Kind",
        "en": "Missing child",
    },
    # --- the sighting form (issue 5), its answers, and reporting through the bot ---------------
    "optional": {"nl": "niet verplicht", "fr": "facultatif", "de": "freiwillig", "en": "optional"},
    "sf_intro": {
        "nl": "Meld het ons hier. Alleen de dossierbeheerders van {organisation} zien uw melding.",
        "fr": "Signalez-le ici. Seuls les gestionnaires de dossiers de {organisation} voient "
        "votre signalement.",
        "de": "Melden Sie es hier. Nur die Fallbearbeiter von {organisation} sehen Ihre Meldung.",
        "en": "Report it here. Only the case managers of {organisation} see your report.",
    },
    "sf_when": {
        "nl": "Wanneer zag u het kind?",
        "fr": "Quand avez-vous vu l'enfant ?",
        "de": "Wann haben Sie das Kind gesehen?",
        "en": "When did you see the child?",
    },
    "sf_when_hint": {
        "nl": "Datum en uur, zo precies mogelijk.",
        "fr": "Date et heure, aussi précises que possible.",
        "de": "Datum und Uhrzeit, so genau wie möglich.",
        "en": "Date and time, as precisely as you can.",
    },
    "sf_now": {"nl": "Zonet", "fr": "À l'instant", "de": "Gerade eben", "en": "Just now"},
    "sf_where": {
        "nl": "Waar zag u het kind?",
        "fr": "Où avez-vous vu l'enfant ?",
        "de": "Wo haben Sie das Kind gesehen?",
        "en": "Where did you see the child?",
    },
    "sf_where_hint": {
        "nl": "Een adres, straat, winkel of station, met de gemeente.",
        "fr": "Une adresse, une rue, un magasin ou une gare, avec la commune.",
        "de": "Eine Adresse, Straße, ein Geschäft oder Bahnhof, mit dem Ort.",
        "en": "An address, street, shop or station, with the town.",
    },
    "sf_coordinates": {
        "nl": "Of geef het punt als coördinaten",
        "fr": "Ou indiquez le point en coordonnées",
        "de": "Oder geben Sie den Punkt als Koordinaten an",
        "en": "Or give the point as coordinates",
    },
    "sf_coordinates_hint": {
        "nl": "Bijvoorbeeld 51,0543 en 3,7174.",
        "fr": "Par exemple 51,0543 et 3,7174.",
        "de": "Zum Beispiel 51,0543 und 3,7174.",
        "en": "For example 51.0543 and 3.7174.",
    },
    "sf_lat": {"nl": "Breedtegraad", "fr": "Latitude", "de": "Breitengrad", "en": "Latitude"},
    "sf_lon": {"nl": "Lengtegraad", "fr": "Longitude", "de": "Längengrad", "en": "Longitude"},
    "sf_locate": {
        "nl": "Mijn huidige locatie gebruiken",
        "fr": "Utiliser ma position actuelle",
        "de": "Meinen aktuellen Standort verwenden",
        "en": "Use my current location",
    },
    "sf_locating": {
        "nl": "Uw locatie wordt gezocht…",
        "fr": "Recherche de votre position…",
        "de": "Ihr Standort wird gesucht …",
        "en": "Finding your location…",
    },
    "sf_located": {
        "nl": "Uw huidige locatie is toegevoegd.",
        "fr": "Votre position actuelle a été ajoutée.",
        "de": "Ihr aktueller Standort wurde hinzugefügt.",
        "en": "Your current location was added.",
    },
    "sf_locate_failed": {
        "nl": "Uw locatie kon niet worden bepaald. Typ de plaats.",
        "fr": "Votre position n'a pas pu être déterminée. Indiquez le lieu.",
        "de": "Ihr Standort konnte nicht bestimmt werden. Bitte geben Sie den Ort ein.",
        "en": "Your location could not be found. Please type the place.",
    },
    "sf_map": {
        "nl": "Het punt op een kaart aanduiden",
        "fr": "Indiquer le point sur une carte",
        "de": "Den Punkt auf einer Karte wählen",
        "en": "Pick the point on a map",
    },
    "sf_map_label": {
        "nl": "Kaart: tik waar u het kind zag",
        "fr": "Carte : touchez l'endroit où vous avez vu l'enfant",
        "de": "Karte: Tippen Sie dorthin, wo Sie das Kind gesehen haben",
        "en": "Map: tap where you saw the child",
    },
    "sf_map_picked": {
        "nl": "Het punt dat u aanduidde is toegevoegd.",
        "fr": "Le point que vous avez indiqué a été ajouté.",
        "de": "Der gewählte Punkt wurde hinzugefügt.",
        "en": "The point you picked was added.",
    },
    "sf_what": {
        "nl": "Wat zag u?",
        "fr": "Qu'avez-vous vu ?",
        "de": "Was haben Sie gesehen?",
        "en": "What did you see?",
    },
    "sf_what_hint": {
        "nl": "Wat deed het kind, wat droeg het, wat had het bij zich? Hoe zeker bent u dat het "
        "dit kind was?",
        "fr": "Que faisait l'enfant, que portait-il, qu'avait-il avec lui ? Êtes-vous sûr·e "
        "que c'était cet enfant ?",
        "de": "Was hat das Kind gemacht, was trug es, was hatte es dabei? Wie sicher sind Sie, "
        "dass es dieses Kind war?",
        "en": "What was the child doing, wearing, carrying? How sure are you that it was this "
        "child?",
    },
    "sf_direction": {
        "nl": "Welke richting ging het kind uit?",
        "fr": "Dans quelle direction l'enfant est-il parti ?",
        "de": "In welche Richtung ist das Kind gegangen?",
        "en": "Which way did the child go?",
    },
    "sf_companions": {
        "nl": "Was er iemand bij het kind, of een voertuig?",
        "fr": "Quelqu'un accompagnait-il l'enfant, ou y avait-il un véhicule ?",
        "de": "War jemand bei dem Kind, oder ein Fahrzeug?",
        "en": "Was anyone with the child, or a vehicle?",
    },
    "sf_companions_hint": {
        "nl": "Een beschrijving van de personen, of merk, kleur en nummerplaat van het voertuig.",
        "fr": "Une description des personnes, ou la marque, la couleur et la plaque du véhicule.",
        "de": "Eine Beschreibung der Personen, oder Marke, Farbe und Kennzeichen des Fahrzeugs.",
        "en": "A description of the people, or the vehicle's make, colour and number plate.",
    },
    "sf_photo": {"nl": "Een foto", "fr": "Une photo", "de": "Ein Foto", "en": "A photo"},
    "sf_photo_hint": {
        "nl": "Alleen als u die veilig kunt nemen. JPEG, PNG of WebP, tot {mb} MB. "
        "Locatiegegevens in de foto worden verwijderd.",
        "fr": "Seulement si vous pouvez la prendre sans danger. JPEG, PNG ou WebP, jusqu'à "
        "{mb} Mo. Les données de localisation de la photo sont supprimées.",
        "de": "Nur wenn Sie es gefahrlos aufnehmen können. JPEG, PNG oder WebP, bis {mb} MB. "
        "Standortdaten im Foto werden entfernt.",
        "en": "Only if you can take it safely. JPEG, PNG or WebP, up to {mb} MB. Location data "
        "in the photo is removed.",
    },
    "sf_contact": {
        "nl": "Uw gegevens",
        "fr": "Vos coordonnées",
        "de": "Ihre Kontaktdaten",
        "en": "Your contact details",
    },
    "sf_anonymous": {
        "nl": "U mag anoniem melden: laat deze velden dan leeg. Vult u ze in, dan zien alleen "
        "onze dossierbeheerders (en zo nodig de politie) ze, om u terug te bellen.",
        "fr": "Vous pouvez signaler anonymement : laissez alors ces champs vides. Si vous les "
        "remplissez, seuls nos gestionnaires de dossiers (et la police si nécessaire) les "
        "verront, pour vous rappeler.",
        "de": "Sie können anonym melden: Lassen Sie diese Felder dann leer. Wenn Sie sie "
        "ausfüllen, sehen nur unsere Fallbearbeiter (und bei Bedarf die Polizei) sie, um Sie "
        "zurückzurufen.",
        "en": "You may report anonymously: just leave these fields empty. If you fill them in, "
        "only our case managers (and the police, if needed) will see them, to call you back.",
    },
    "sf_phone": {"nl": "Telefoon", "fr": "Téléphone", "de": "Telefon", "en": "Phone"},
    "sf_send": {
        "nl": "Melding versturen",
        "fr": "Envoyer le signalement",
        "de": "Meldung senden",
        "en": "Send the report",
    },
    "sf_honeypot": {
        "nl": "Laat dit veld leeg",
        "fr": "Laissez ce champ vide",
        "de": "Lassen Sie dieses Feld leer",
        "en": "Leave this field empty",
    },
    "sf_expired": {
        "nl": "Het formulier was verlopen. Wat u schreef staat nog hieronder: verstuur het "
        "opnieuw (kies een foto zo nodig opnieuw).",
        "fr": "Le formulaire avait expiré. Ce que vous avez écrit se trouve ci-dessous : "
        "envoyez-le à nouveau (choisissez à nouveau la photo le cas échéant).",
        "de": "Das Formular war abgelaufen. Ihr Text steht noch unten: Senden Sie ihn bitte "
        "erneut (und wählen Sie ein Foto gegebenenfalls neu aus).",
        "en": "The form had expired. What you wrote is still below: please send it again "
        "(and choose the photo again, if any).",
    },
    "sf_error": {"nl": "Fout:", "fr": "Erreur :", "de": "Fehler:", "en": "Error:"},
    "err_summary": {
        "nl": "De melding is niet verstuurd. Controleer:",
        "fr": "Le signalement n'a pas été envoyé. Vérifiez :",
        "de": "Die Meldung wurde nicht gesendet. Bitte prüfen Sie:",
        "en": "The report was not sent. Please check:",
    },
    "err_seen_at_missing": {
        "nl": "Vul in wanneer u het kind zag.",
        "fr": "Indiquez quand vous avez vu l'enfant.",
        "de": "Geben Sie an, wann Sie das Kind gesehen haben.",
        "en": "Enter when you saw the child.",
    },
    "err_seen_at_invalid": {
        "nl": "Vul een geldige datum en een geldig uur in.",
        "fr": "Indiquez une date et une heure valides.",
        "de": "Geben Sie ein gültiges Datum und eine gültige Uhrzeit an.",
        "en": "Enter a valid date and time.",
    },
    "err_seen_at_future": {
        "nl": "Dit tijdstip ligt in de toekomst. Vul in wanneer u het kind zag.",
        "fr": "Ce moment est dans le futur. Indiquez quand vous avez vu l'enfant.",
        "de": "Dieser Zeitpunkt liegt in der Zukunft. Geben Sie an, wann Sie das Kind gesehen "
        "haben.",
        "en": "This time is in the future. Enter when you saw the child.",
    },
    "err_seen_at_old": {
        "nl": "Deze datum ligt meer dan een jaar terug. Controleer hem.",
        "fr": "Cette date remonte à plus d'un an. Vérifiez-la.",
        "de": "Dieses Datum liegt mehr als ein Jahr zurück. Bitte prüfen Sie es.",
        "en": "This date is more than a year ago. Please check it.",
    },
    "err_where_missing": {
        "nl": "Vul in waar u het kind zag, of geef het punt.",
        "fr": "Indiquez où vous avez vu l'enfant, ou donnez le point.",
        "de": "Geben Sie an, wo Sie das Kind gesehen haben, oder nennen Sie den Punkt.",
        "en": "Enter where you saw the child, or give the point.",
    },
    "err_point_invalid": {
        "nl": "Geef beide coördinaten als getal, bijvoorbeeld 51,0543 en 3,7174.",
        "fr": "Indiquez les deux coordonnées en chiffres, par exemple 51,0543 et 3,7174.",
        "de": "Geben Sie beide Koordinaten als Zahlen an, zum Beispiel 51,0543 und 3,7174.",
        "en": "Give both coordinates as numbers, for example 51.0543 and 3.7174.",
    },
    "err_seen_missing": {
        "nl": "Beschrijf wat u zag.",
        "fr": "Décrivez ce que vous avez vu.",
        "de": "Beschreiben Sie, was Sie gesehen haben.",
        "en": "Describe what you saw.",
    },
    "err_too_long": {
        "nl": "Hoogstens {limit} tekens.",
        "fr": "{limit} caractères au maximum.",
        "de": "Höchstens {limit} Zeichen.",
        "en": "At most {limit} characters.",
    },
    "err_characters": {
        "nl": "Deze tekst bevat tekens die niet verstuurd kunnen worden. Typ hem opnieuw.",
        "fr": "Ce texte contient des caractères qui ne peuvent pas être envoyés. Retapez-le.",
        "de": "Dieser Text enthält Zeichen, die nicht gesendet werden können. Bitte tippen Sie "
        "ihn neu.",
        "en": "This text contains characters that cannot be sent. Please type it again.",
    },
    "err_not_text": {
        "nl": "Dit moet tekst zijn.",
        "fr": "Ceci doit être du texte.",
        "de": "Dies muss Text sein.",
        "en": "This must be text.",
    },
    "err_phone_invalid": {
        "nl": "Vul een telefoonnummer van 6 tot 20 cijfers in, bijvoorbeeld +32 470 12 34 56.",
        "fr": "Indiquez un numéro de téléphone de 6 à 20 chiffres, par exemple +32 470 12 34 56.",
        "de": "Geben Sie eine Telefonnummer mit 6 bis 20 Ziffern an, zum Beispiel "
        "+32 470 12 34 56.",
        "en": "Enter a phone number of 6 to 20 digits, for example +32 470 12 34 56.",
    },
    "err_email_invalid": {
        "nl": "Vul een e-mailadres in zoals naam@voorbeeld.be.",
        "fr": "Indiquez une adresse e-mail comme nom@exemple.be.",
        "de": "Geben Sie eine E-Mail-Adresse wie name@beispiel.be an.",
        "en": "Enter an e-mail address like name@example.be.",
    },
    "err_photo_invalid": {
        "nl": "Dit bestand is geen leesbare foto. Kies een JPEG-, PNG- of WebP-foto, of geen.",
        "fr": "Ce fichier n'est pas une photo lisible. Choisissez une photo JPEG, PNG ou WebP, "
        "ou aucune.",
        "de": "Diese Datei ist kein lesbares Foto. Wählen Sie ein JPEG-, PNG- oder WebP-Foto "
        "oder keines.",
        "en": "This file is not a photo we can read. Choose a JPEG, PNG or WebP photo, or none.",
    },
    "err_photo_type": {
        "nl": "Alleen foto's in JPEG, PNG of WebP worden aanvaard.",
        "fr": "Seules les photos JPEG, PNG ou WebP sont acceptées.",
        "de": "Nur Fotos im Format JPEG, PNG oder WebP werden angenommen.",
        "en": "Only JPEG, PNG or WebP photos are accepted.",
    },
    "err_photo_too_large": {
        "nl": "De foto is te groot: hoogstens {mb} MB.",
        "fr": "La photo est trop lourde : {mb} Mo au maximum.",
        "de": "Das Foto ist zu groß: höchstens {mb} MB.",
        "en": "The photo is too large: at most {mb} MB.",
    },
    "err_photo_pixels": {
        "nl": "De foto heeft te veel pixels. Kies een kleinere.",
        "fr": "La photo a trop de pixels. Choisissez-en une plus petite.",
        "de": "Das Foto hat zu viele Pixel. Wählen Sie ein kleineres.",
        "en": "The photo has too many pixels. Choose a smaller one.",
    },
    "err_photo_encoded": {
        "nl": "De foto kon niet gelezen worden. Kies hem opnieuw.",
        "fr": "La photo n'a pas pu être lue. Choisissez-la à nouveau.",
        "de": "Das Foto konnte nicht gelesen werden. Wählen Sie es erneut aus.",
        "en": "The photo could not be read. Please choose it again.",
    },
    "err_photo_json": {
        "nl": "Stuur een foto met het formulier (multipart/form-data), niet in JSON.",
        "fr": "Envoyez une photo avec le formulaire (multipart/form-data), pas en JSON.",
        "de": "Senden Sie ein Foto mit dem Formular (multipart/form-data), nicht in JSON.",
        "en": "Send a photo with the form (multipart/form-data), not in JSON.",
    },
    "err_request": {
        "nl": "De melding kon niet gelezen worden. Probeer het opnieuw.",
        "fr": "Le signalement n'a pas pu être lu. Veuillez réessayer.",
        "de": "Die Meldung konnte nicht gelesen werden. Bitte versuchen Sie es erneut.",
        "en": "The report could not be read. Please try again.",
    },
    "err_request_too_large": {
        "nl": "De melding is te groot (hoogstens {mb} MB met de foto). Kies een kleinere foto, "
        "of geen.",
        "fr": "Le signalement est trop lourd ({mb} Mo au maximum avec la photo). Choisissez une "
        "photo plus petite, ou aucune.",
        "de": "Die Meldung ist zu groß (höchstens {mb} MB mit dem Foto). Wählen Sie ein "
        "kleineres Foto oder keines.",
        "en": "The report is too large (at most {mb} MB with the photo). Choose a smaller "
        "photo, or none.",
    },
    "err_request_type": {
        "nl": "Stuur de melding als formulier of als JSON.",
        "fr": "Envoyez le signalement sous forme de formulaire ou en JSON.",
        "de": "Senden Sie die Meldung als Formular oder als JSON.",
        "en": "Send the report as a form or as JSON.",
    },
    "done_title": {
        "nl": "Bedankt voor uw melding",
        "fr": "Merci pour votre signalement",
        "de": "Vielen Dank für Ihre Meldung",
        "en": "Thank you for your report",
    },
    "done_reference": {
        "nl": "Uw referentienummer",
        "fr": "Votre numéro de référence",
        "de": "Ihre Referenznummer",
        "en": "Your reference number",
    },
    "done_body": {
        "nl": "Onze dossierbeheerders bekijken uw melding. Schiet u nog iets te binnen? Bel "
        "dan {hotline} en geef dit referentienummer.",
        "fr": "Nos gestionnaires de dossiers vont examiner votre signalement. Un détail vous "
        "revient ? Appelez le {hotline} en donnant ce numéro de référence.",
        "de": "Unsere Fallbearbeiter sehen sich Ihre Meldung an. Fällt Ihnen noch etwas ein? "
        "Rufen Sie {hotline} an und nennen Sie diese Referenznummer.",
        "en": "Our case managers will look at your report. If you remember anything else, call "
        "{hotline} and give this reference number.",
    },
    "done_back": {
        "nl": "Terug naar de oproep",
        "fr": "Retour à l'avis",
        "de": "Zurück zum Aufruf",
        "en": "Back to the alert",
    },
    "wait_title": {
        "nl": "Wacht even voor u nog een melding stuurt",
        "fr": "Patientez avant d'envoyer un autre signalement",
        "de": "Bitte warten Sie, bevor Sie eine weitere Meldung senden",
        "en": "Please wait before sending another report",
    },
    "sighting_wait_client": {
        "nl": "U hebt in korte tijd meerdere meldingen gestuurd. Over {minutes} min. kunt u er "
        "weer een sturen. Is het dringend, bel dan {hotline}; is het kind in gevaar, bel 112.",
        "fr": "Vous avez envoyé plusieurs signalements en peu de temps. Vous pourrez en envoyer "
        "un autre dans {minutes} min. En cas d'urgence, appelez le {hotline} ; si l'enfant est "
        "en danger, appelez le 112.",
        "de": "Sie haben in kurzer Zeit mehrere Meldungen gesendet. In {minutes} Min. können Sie "
        "wieder eine senden. Ist es dringend, rufen Sie {hotline} an; ist das Kind in Gefahr, "
        "rufen Sie 112 an.",
        "en": "You have sent several reports in a short time. You can send another one in "
        "{minutes} min. If it is urgent, call {hotline}; if the child is in danger, call 112.",
    },
    "sighting_wait_case": {
        "nl": "Wij krijgen op dit moment heel veel meldingen voor deze oproep. Bel {hotline}, of "
        "probeer het over {minutes} min. opnieuw. Is het kind in gevaar, bel 112.",
        "fr": "Nous recevons en ce moment de très nombreux signalements pour cet avis. Appelez "
        "le {hotline}, ou réessayez dans {minutes} min. Si l'enfant est en danger, appelez le "
        "112.",
        "de": "Wir erhalten gerade sehr viele Meldungen zu diesem Aufruf. Rufen Sie {hotline} "
        "an oder versuchen Sie es in {minutes} Min. erneut. Ist das Kind in Gefahr, rufen Sie "
        "112 an.",
        "en": "We are receiving very many reports for this alert right now. Please call "
        "{hotline}, or try again in {minutes} min. If the child is in danger, call 112.",
    },
    "bot_sighting_which": {
        "nl": "Over welke oproep gaat uw melding?",
        "fr": "Votre signalement concerne quel avis ?",
        "de": "Zu welchem Aufruf ist Ihre Meldung?",
        "en": "Which alert is your sighting about?",
    },
    "bot_sighting_none": {
        "nl": "Er is geen actieve oproep in de buurt van deze plaats. Denkt u een vermist kind "
        "gezien te hebben, bel dan {hotline}. Is het kind in gevaar, bel 112.",
        "fr": "Il n'y a aucun avis en cours près de cet endroit. Si vous pensez avoir vu un "
        "enfant disparu, appelez le {hotline}. Si l'enfant est en danger, appelez le 112.",
        "de": "In der Nähe dieses Ortes gibt es keinen laufenden Aufruf. Wenn Sie glauben, ein "
        "vermisstes Kind gesehen zu haben, rufen Sie {hotline} an. Ist das Kind in Gefahr, "
        "rufen Sie 112 an.",
        "en": "There is no active alert near this place. If you think you saw a missing child, "
        "call {hotline}. If the child is in danger, call 112.",
    },
    "bot_sighting_where": {
        "nl": "Waar zag u het kind? Deel de locatie (📎 → Locatie) of typ de plaats.",
        "fr": "Où avez-vous vu l'enfant ? Partagez la position (📎 → Position) ou tapez le lieu.",
        "de": "Wo haben Sie das Kind gesehen? Teilen Sie den Standort (📎 → Standort) oder "
        "tippen Sie den Ort ein.",
        "en": "Where did you see the child? Share the location (📎 → Location) or type the place.",
    },
    "bot_share_location": {
        "nl": "📍 Mijn huidige locatie sturen",
        "fr": "📍 Envoyer ma position actuelle",
        "de": "📍 Meinen aktuellen Standort senden",
        "en": "📍 Send my current location",
    },
    "bot_sighting_place_unknown": {
        "nl": "Die plaats vonden wij niet. Deel een locatie, of typ een straat en gemeente.",
        "fr": "Nous n'avons pas trouvé ce lieu. Partagez une position, ou tapez une rue et une "
        "commune.",
        "de": "Diesen Ort haben wir nicht gefunden. Teilen Sie einen Standort, oder tippen Sie "
        "Straße und Ort ein.",
        "en": "We could not find that place. Share a location, or type a street and town.",
    },
    "bot_sighting_what": {
        "nl": "Wat zag u? Vertel wanneer (als het niet zonet was), wat het kind deed en droeg, "
        "welke kant het op ging en wie erbij was.",
        "fr": "Qu'avez-vous vu ? Dites quand (si ce n'était pas à l'instant), ce que l'enfant "
        "faisait et portait, dans quelle direction il allait et qui était avec lui.",
        "de": "Was haben Sie gesehen? Sagen Sie, wann (falls nicht gerade eben), was das Kind "
        "tat und trug, wohin es ging und wer dabei war.",
        "en": "What did you see? Tell us when (if it was not just now), what the child was "
        "doing and wearing, which way they went and who was with them.",
    },
    "bot_sighting_photo": {
        "nl": "Hebt u een foto? Stuur hem nu, of tik op „Zonder foto versturen”.",
        "fr": "Vous avez une photo ? Envoyez-la maintenant, ou touchez « Envoyer sans photo ».",
        "de": "Haben Sie ein Foto? Senden Sie es jetzt, oder tippen Sie auf „Ohne Foto senden“.",
        "en": "Do you have a photo? Send it now, or tap “Send without a photo”.",
    },
    "bot_no_photo": {
        "nl": "Zonder foto versturen",
        "fr": "Envoyer sans photo",
        "de": "Ohne Foto senden",
        "en": "Send without a photo",
    },
    "bot_cancel": {"nl": "Annuleren", "fr": "Annuler", "de": "Abbrechen", "en": "Cancel"},
    "bot_sighting_cancelled": {
        "nl": "Uw melding is niet verstuurd.",
        "fr": "Votre signalement n'a pas été envoyé.",
        "de": "Ihre Meldung wurde nicht gesendet.",
        "en": "Your report was not sent.",
    },
    "bot_sighting_done": {
        "nl": "Bedankt. Uw melding is naar de dossierbeheerders gestuurd. Uw referentienummer: "
        "{reference}. Schiet u nog iets te binnen, bel dan {hotline} en geef dit nummer. Is het "
        "kind in gevaar, bel 112.",
        "fr": "Merci. Votre signalement a été transmis aux gestionnaires de dossiers. Votre "
        "numéro de référence : {reference}. Si un détail vous revient, appelez le {hotline} en "
        "donnant ce numéro. Si l'enfant est en danger, appelez le 112.",
        "de": "Danke. Ihre Meldung wurde an die Fallbearbeiter gesendet. Ihre Referenznummer: "
        "{reference}. Fällt Ihnen noch etwas ein, rufen Sie {hotline} an und nennen Sie diese "
        "Nummer. Ist das Kind in Gefahr, rufen Sie 112 an.",
        "en": "Thank you. Your report was sent to the case managers. Your reference number: "
        "{reference}. If you remember anything else, call {hotline} and give this number. If "
        "the child is in danger, call 112.",
    },
    "bot_sighting_again": {
        "nl": "{problem} Probeer het nog eens.",
        "fr": "{problem} Veuillez réessayer.",
        "de": "{problem} Bitte versuchen Sie es noch einmal.",
        "en": "{problem} Please try again.",
    },
}


def text(key: str, lang: str, **values: str) -> str:
    """The text `key` in `lang` (English when `lang` is unknown), with `values` filled in."""
    entry = TEXTS[key]
    return entry.get(lang, entry["en"]).format(**values) if values else entry.get(lang, entry["en"])


def texts_for(lang: str) -> dict[str, str]:
    """Every text in `lang` as-is (placeholders left for the template), for a page."""
    return {key: entry.get(lang, entry["en"]) for key, entry in TEXTS.items()}


def missing() -> list[tuple[str, str]]:
    """(key, language) for every text not written in one of the four languages."""
    return [(key, lang) for key, entry in TEXTS.items() for lang in LANGUAGES if lang not in entry]
