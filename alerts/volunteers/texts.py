"""What volunteers read, from the bot and on the public volunteer pages, in nl, fr, de and en.

Kept apart from the staff console's Babel catalogs: these texts are written for the public. Every
key exists in all four languages with the same placeholders (tests/test_volunteers.py checks it).
Use `text(lang, key, **values)`; a language that is not one of ours gets English.

This module is data: it is long because it holds four languages, not because it holds logic.
"""

from __future__ import annotations

import re
from types import MappingProxyType

LANGUAGE_NAMES = MappingProxyType(
    {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}
)
# The same in every language: the person has not chosen one yet.
CHOOSE_LANGUAGE = (
    "Kies je taal · Choisissez votre langue · Wählen Sie Ihre Sprache · Choose your language"
)

EN = {
    "bot_error": "Sorry, something went wrong on our side. Please try again in a moment.",
    # -- the bot --
    "welcome": "Welcome! When a child goes missing near you, I send you the search notice, so "
    "that you can keep your eyes open. You can stop at any time with /stop.",
    "ask_place_home": "Where do you live? Tap “📍 Share my location” below, or type the name or "
    "the postcode of your municipality (for example “Gent” or “9000”). We only keep your place "
    "rounded to about 1 km.",
    "ask_place_work": "Where do you work? Type the name or the postcode of the municipality (for "
    "example “Leuven” or “3000”), or send its location (📎 → Location lets you pick a point on "
    "the map). We only keep it rounded to about 1 km.",
    "share_location_button": "📍 Share my location",
    "place_placeholder": "Municipality or postcode",
    "bot_place_unknown": "I cannot find that place. Type the name or the postcode of a Belgian "
    "municipality (for example “Gent” or “9000”), or share a location.",
    "place_expected": "Please share a location, or type the name or the postcode of your "
    "municipality.",
    "choose_radius": "📍 Near {place}.\nWithin what distance of there do you want to receive "
    "alerts?",
    "radius_expected": "Please choose a distance with the buttons above, or type a number of "
    "kilometres between 1 and 200.",
    "summary": "Is this right?\n\nLanguage: {language}\nArea: {area}",
    "area": "near {place}, within {km} km",
    "confirm_button": "✅ Yes, sign me up",
    "restart_button": "↩️ Another place",
    "signed_up": "✅ You are signed up. When a child goes missing near you, you will get a "
    "message here.\n\n/settings – language, areas and quiet hours\n/stop – stop the alerts\n"
    "/help – help",
    "already_signed_up": "You are already signed up ({area}).\n\n/settings – change your "
    "language, areas or quiet hours\n/stop – stop the alerts",
    "language_expected": "Please choose a language with the buttons above.",
    "confirm_expected": "Please confirm with the buttons above, or send /start to begin again.",
    "location_outside": "To change your area, send /settings.",
    "not_understood": "Sorry, I did not understand that. Send /help to see what I can do.",
    "help": "I send you the search notices of {organisation} about missing children near you."
    "\n\n/start – sign up\n/settings – change your language, your areas (home and work), the "
    "distance and your quiet hours; download or delete your data\n/stop – stop the alerts at "
    "once\n"
    "/sighting – report that you saw the child of an alert\n"
    "/help – this help\n\nDo you see a missing child? Call {hotline} or the police (101). "
    "In an emergency, call 112.",
    "stopped": "🔕 Done: you will receive no more alerts. Send /start to switch them back on.\n"
    "To download or delete your data, send /settings and choose “My data”.",
    "not_signed_up": "You are not signed up, so you receive no alerts. Send /start to sign up.",
    "settings_menu": "Your settings\n\nAlerts: {status}\nLanguage: {language}\nHome: {home}\n"
    "Work: {work}\nQuiet hours: {quiet}\n\nWhat would you like to change?",
    "status_on": "on",
    "status_off": "off (send /start to switch them on)",
    "not_set": "not set",
    "button_language": "🌐 Language",
    "button_home": "🏠 Home",
    "button_work": "🏢 Work",
    "button_quiet": "🌙 Quiet hours",
    "button_data": "📄 My data",
    "area_menu_home": "Home: {area}.\nWhat would you like to change?",
    "area_menu_work": "Work: {area}.\nWhat would you like to change?",
    "button_change_place": "📍 Another place",
    "button_change_radius": "📏 Another distance",
    "button_remove_work": "🗑 Remove the work area",
    "home_saved": "✅ Saved. Home: {area}.",
    "work_saved": "✅ Saved. Work: {area}.",
    "work_removed": "✅ The work area has been removed.",
    "language_saved": "✅ From now on I will write to you in English.",
    "quiet_menu": "Quiet hours: {quiet}.\n\nDuring your quiet hours you get no alerts, except "
    "the most urgent ones (public appeals about a child in danger). Choose below, or type the "
    "hours, for example 22:00-07:00.",
    "quiet_none": "none",
    "quiet_off_button": "No quiet hours",
    "quiet_saved": "✅ Quiet hours: {quiet}.",
    "quiet_expected": "Please type the quiet hours as two times, for example 22:00-07:00, or "
    "choose with the buttons above.",
    "data_intro": "This is everything we hold about you:",
    "button_delete_data": "🗑 Delete all my data",
    "delete_question": "This deletes your settings and your areas, and you will get no more "
    "alerts. It cannot be undone. Are you sure?",
    "button_delete_yes": "Yes, delete everything",
    "button_cancel": "Cancel",
    "deleted": "✅ All your data has been deleted. Send /start if you ever want to sign up again.",
    "cancelled": "Nothing was changed.",
    "button_expired": "This button no longer works. Send /settings or /start.",
    "command_start": "Sign up for alerts near you",
    "command_settings": "Language, areas, quiet hours, my data",
    "command_stop": "Stop the alerts",
    "command_help": "Help",
    "command_sighting": "Report a sighting",
    # -- the web pages --
    "signup_title": "Alerts about missing children near you",
    "signup_intro": "When a child goes missing near you and publicity can help, we send you the "
    "search notice by e-mail. You choose where, and within what distance.",
    "field_email": "Your e-mail address",
    "hint_email": "We will send you a link to confirm it.",
    "field_language": "Language of the alerts",
    "field_place": "Where do you live?",
    "hint_place": "Municipality, postcode or address. We keep only a point rounded to about 1 km.",
    "field_radius": "Alert me within",
    "section_work": "A second area (optional)",
    "hint_work": "For example where you work or study.",
    "field_work_place": "Municipality, postcode or address",
    "section_quiet": "Quiet hours (optional)",
    "hint_quiet": "No alerts during these hours, except the most urgent ones (public appeals "
    "about a child in danger). Times such as 22:00 and 07:00.",
    "field_quiet_start": "From",
    "field_quiet_end": "Until",
    "privacy_title": "Your data",
    "privacy_text": "We keep your e-mail address, your language, your areas (rounded to about "
    "1 km) and your quiet hours, only to send you alerts. Every e-mail has a link to stop at "
    "once, and to download or delete your data.",
    "submit_signup": "Sign up",
    "required": "required",
    "error_summary": "Please correct the fields marked below.",
    "error_prefix": "Error:",
    "email_invalid": "Enter a valid e-mail address, such as name@example.be.",
    "place_required": "Enter a municipality, a postcode or an address.",
    "place_unknown": "We cannot find this place. Try the name or the postcode of the municipality.",
    "radius_invalid": "Choose a distance from the list.",
    "language_invalid": "Choose one of the languages.",
    "quiet_incomplete": "Enter both times, or leave both empty.",
    "time_invalid": "Enter a time such as 22:00.",
    "quiet_same": "The start and the end must be different.",
    "quiet_invalid": "Enter the quiet hours such as 22:00-07:00.",
    "area_label_invalid": "This area cannot be changed.",
    "form_expired": "This form has expired or was not sent from this site. Please send it again.",
    "too_many": "Too many sign-ups from this connection. Please try again in an hour.",
    "mail_failed": "We could not send the e-mail just now. Please try again in a few minutes.",
    "sent_title": "Check your inbox",
    "sent_body": "We have sent an e-mail to the address you entered. Open the link in it within "
    "48 hours to confirm your sign-up. Until then, nothing happens.",
    "sent_spam": "No e-mail after a few minutes? Look in your spam folder, or sign up again.",
    "confirm_title": "Confirm your sign-up",
    "confirm_body": "Press the button to start receiving alerts about missing children near you.",
    "confirm_submit": "Confirm my sign-up",
    "confirmed_title": "You are signed up",
    "confirmed_body": "Thank you. When a child goes missing within reach of your areas, you will "
    "receive an e-mail.",
    "confirmed_manage": "With this link you can download or delete your data at any time (we "
    "have also sent it to you by e-mail):",
    "manage_link_text": "My data",
    "token_unknown": "This link is not valid. Check that you opened the whole link from the "
    "e-mail, or sign up again.",
    "token_used": "This link has already been used: a confirmation link works only once. If you "
    "confirmed earlier, you are signed up.",
    "token_expired": "This link has expired: it was valid for 48 hours. Please sign up again.",
    "link_problem_title": "This link cannot be used",
    "signup_again": "Sign up again",
    "link_invalid": "This link is not valid. Please use the link from your most recent e-mail.",
    "stop_title": "Stop the alerts",
    "stop_body": "Press the button and you will receive no more alerts. You can sign up again at "
    "any time.",
    "stop_button": "Stop the alerts",
    "stopped_title": "You will receive no more alerts",
    "stopped_body": "Your alerts are switched off. Changed your mind? You can sign up again at "
    "any time.",
    "stopped_data": "We keep your data until you delete it:",
    "manage_title": "Your data",
    "manage_intro": "This is what we hold about you.",
    "manage_status": "Alerts",
    "manage_on": "on",
    "manage_off": "off",
    "manage_email": "E-mail address",
    "manage_language": "Language",
    "manage_areas": "Areas",
    "manage_quiet": "Quiet hours",
    "manage_since": "Signed up on",
    "area_home": "Home",
    "area_work": "Second area",
    "export_button": "Download all my data (JSON)",
    "delete_title": "Delete my data",
    "delete_body": "This deletes your e-mail address, your areas and your settings at once. You "
    "will receive no more alerts. It cannot be undone.",
    "delete_button": "Delete all my data",
    "deleted_title": "Your data has been deleted",
    "deleted_body": "We no longer hold any data about you. Thank you for your help.",
    "nothing_held": "We hold no data about you, so you receive no alerts.",
    "mail_confirm_subject": "Please confirm your sign-up for alerts about missing children",
    "mail_hello": "Hello,",
    "mail_confirm_intro": "Someone, hopefully you, asked to receive alerts about missing "
    "children nearby at this address.",
    "mail_confirm_action": "To confirm, open this link within 48 hours:",
    "mail_confirm_ignore": "Was it not you? Then ignore this e-mail: without confirmation, we "
    "forget the address after 48 hours.",
    "mail_welcome_subject": "You are signed up for alerts about missing children",
    "mail_welcome_intro": "Thank you for helping. When a child goes missing within reach of your "
    "areas, you will receive an e-mail.",
    "mail_welcome_manage": "Download or delete your data:",
    "mail_welcome_stop": "Stop the alerts at once:",
    "nav_language": "Language",
    "skip_link": "Skip to the content",
    "hotline_note": "Do you see a missing child? Call {hotline}, or 112 in an emergency.",
}

NL = {
    "bot_error": "Sorry, er ging bij ons iets mis. Probeer het zo dadelijk opnieuw.",
    "welcome": "Welkom! Als er bij jou in de buurt een kind vermist raakt, stuur ik je het "
    "opsporingsbericht, zodat je mee kunt uitkijken. Je kunt op elk moment stoppen met /stop.",
    "ask_place_home": "Waar woon je? Tik hieronder op “📍 Mijn locatie delen”, of typ de naam of "
    "de postcode van je gemeente (bijvoorbeeld “Gent” of “9000”). We bewaren je plaats alleen "
    "afgerond op ongeveer 1 km.",
    "ask_place_work": "Waar werk je? Typ de naam of de postcode van de gemeente (bijvoorbeeld "
    "“Leuven” of “3000”), of stuur de locatie (via 📎 → Locatie kies je een punt op de kaart). "
    "We bewaren die alleen afgerond op ongeveer 1 km.",
    "share_location_button": "📍 Mijn locatie delen",
    "place_placeholder": "Gemeente of postcode",
    "bot_place_unknown": "Die plaats vind ik niet. Typ de naam of de postcode van een Belgische "
    "gemeente (bijvoorbeeld “Gent” of “9000”), of deel een locatie.",
    "place_expected": "Deel een locatie, of typ de naam of de postcode van je gemeente.",
    "choose_radius": "📍 In de buurt van {place}.\nBinnen welke afstand daarvan wil je "
    "meldingen krijgen?",
    "radius_expected": "Kies een afstand met de knoppen hierboven, of typ een aantal kilometer "
    "tussen 1 en 200.",
    "summary": "Klopt dit?\n\nTaal: {language}\nGebied: {area}",
    "area": "in de buurt van {place}, binnen {km} km",
    "confirm_button": "✅ Ja, schrijf me in",
    "restart_button": "↩️ Andere plaats",
    "signed_up": "✅ Je bent ingeschreven. Als er bij jou in de buurt een kind vermist raakt, "
    "krijg je hier een bericht.\n\n/settings – taal, gebieden en stille uren\n/stop – de "
    "meldingen stoppen\n/help – hulp",
    "already_signed_up": "Je bent al ingeschreven ({area}).\n\n/settings – je taal, gebieden of "
    "stille uren wijzigen\n/stop – de meldingen stoppen",
    "language_expected": "Kies een taal met de knoppen hierboven.",
    "confirm_expected": "Bevestig met de knoppen hierboven, of stuur /start om opnieuw te "
    "beginnen.",
    "location_outside": "Stuur /settings om je gebied te wijzigen.",
    "not_understood": "Sorry, dat begrijp ik niet. Stuur /help om te zien wat ik kan.",
    "help": "Ik stuur je de opsporingsberichten van {organisation} over vermiste kinderen bij "
    "jou in de buurt.\n\n/start – inschrijven\n/settings – je taal, je gebieden (thuis en werk), "
    "de afstand en je stille uren wijzigen; je gegevens downloaden of wissen\n/stop – de "
    "meldingen meteen stoppen\n"
    "/sighting – melden dat je het kind van een oproep zag\n"
    "/help – deze hulp\n\nZie je een vermist kind? Bel {hotline} of de "
    "politie (101). Bij nood: bel 112.",
    "stopped": "🔕 Klaar: je krijgt geen meldingen meer. Stuur /start om ze weer aan te zetten.\n"
    "Wil je je gegevens downloaden of wissen? Stuur /settings en kies “Mijn gegevens”.",
    "not_signed_up": "Je bent niet ingeschreven, dus je krijgt geen meldingen. Stuur /start om "
    "je in te schrijven.",
    "settings_menu": "Je instellingen\n\nMeldingen: {status}\nTaal: {language}\nThuis: {home}\n"
    "Werk: {work}\nStille uren: {quiet}\n\nWat wil je wijzigen?",
    "status_on": "aan",
    "status_off": "uit (stuur /start om ze aan te zetten)",
    "not_set": "niet ingesteld",
    "button_language": "🌐 Taal",
    "button_home": "🏠 Thuis",
    "button_work": "🏢 Werk",
    "button_quiet": "🌙 Stille uren",
    "button_data": "📄 Mijn gegevens",
    "area_menu_home": "Thuis: {area}.\nWat wil je wijzigen?",
    "area_menu_work": "Werk: {area}.\nWat wil je wijzigen?",
    "button_change_place": "📍 Andere plaats",
    "button_change_radius": "📏 Andere afstand",
    "button_remove_work": "🗑 Werkgebied verwijderen",
    "home_saved": "✅ Opgeslagen. Thuis: {area}.",
    "work_saved": "✅ Opgeslagen. Werk: {area}.",
    "work_removed": "✅ Het werkgebied is verwijderd.",
    "language_saved": "✅ Vanaf nu schrijf ik je in het Nederlands.",
    "quiet_menu": "Stille uren: {quiet}.\n\nTijdens je stille uren krijg je geen meldingen, "
    "behalve de dringendste (openbare oproepen over een kind in gevaar). Kies hieronder, of typ "
    "de uren, bijvoorbeeld 22:00-07:00.",
    "quiet_none": "geen",
    "quiet_off_button": "Geen stille uren",
    "quiet_saved": "✅ Stille uren: {quiet}.",
    "quiet_expected": "Typ de stille uren als twee tijdstippen, bijvoorbeeld 22:00-07:00, of "
    "kies met de knoppen hierboven.",
    "data_intro": "Dit is alles wat we over je bewaren:",
    "button_delete_data": "🗑 Al mijn gegevens wissen",
    "delete_question": "Hiermee wis je je instellingen en je gebieden, en krijg je geen meldingen "
    "meer. Dit kan niet ongedaan worden gemaakt. Ben je zeker?",
    "button_delete_yes": "Ja, alles wissen",
    "button_cancel": "Annuleren",
    "deleted": "✅ Al je gegevens zijn gewist. Stuur /start als je je ooit opnieuw wilt "
    "inschrijven.",
    "cancelled": "Er is niets gewijzigd.",
    "button_expired": "Deze knop werkt niet meer. Stuur /settings of /start.",
    "command_start": "Inschrijven voor meldingen in je buurt",
    "command_settings": "Taal, gebieden, stille uren, mijn gegevens",
    "command_stop": "De meldingen stoppen",
    "command_help": "Hulp",
    "command_sighting": "Een waarneming melden",
    "signup_title": "Meldingen over vermiste kinderen in je buurt",
    "signup_intro": "Als er bij jou in de buurt een kind vermist raakt en ruchtbaarheid kan "
    "helpen, sturen we je het opsporingsbericht per e-mail. Jij kiest waar, en binnen welke "
    "afstand.",
    "field_email": "Je e-mailadres",
    "hint_email": "We sturen je een link om het te bevestigen.",
    "field_language": "Taal van de meldingen",
    "field_place": "Waar woon je?",
    "hint_place": "Gemeente, postcode of adres. We bewaren alleen een punt, afgerond op "
    "ongeveer 1 km.",
    "field_radius": "Meldingen binnen",
    "section_work": "Een tweede gebied (niet verplicht)",
    "hint_work": "Bijvoorbeeld waar je werkt of studeert.",
    "field_work_place": "Gemeente, postcode of adres",
    "section_quiet": "Stille uren (niet verplicht)",
    "hint_quiet": "Tijdens deze uren krijg je geen meldingen, behalve de dringendste (openbare "
    "oproepen over een kind in gevaar). Tijdstippen zoals 22:00 en 07:00.",
    "field_quiet_start": "Van",
    "field_quiet_end": "Tot",
    "privacy_title": "Je gegevens",
    "privacy_text": "We bewaren je e-mailadres, je taal, je gebieden (afgerond op ongeveer 1 km) "
    "en je stille uren, alleen om je meldingen te sturen. In elke e-mail staat een link om "
    "meteen te stoppen, en om je gegevens te downloaden of te wissen.",
    "submit_signup": "Inschrijven",
    "required": "verplicht",
    "error_summary": "Verbeter de aangeduide velden hieronder.",
    "error_prefix": "Fout:",
    "email_invalid": "Vul een geldig e-mailadres in, zoals naam@voorbeeld.be.",
    "place_required": "Vul een gemeente, een postcode of een adres in.",
    "place_unknown": "Deze plaats vinden we niet. Probeer de naam of de postcode van de gemeente.",
    "radius_invalid": "Kies een afstand uit de lijst.",
    "language_invalid": "Kies een van de talen.",
    "quiet_incomplete": "Vul beide tijdstippen in, of laat ze allebei leeg.",
    "time_invalid": "Vul een tijdstip in zoals 22:00.",
    "quiet_same": "Begin en einde moeten verschillen.",
    "quiet_invalid": "Vul de stille uren in zoals 22:00-07:00.",
    "area_label_invalid": "Dit gebied kan niet worden gewijzigd.",
    "form_expired": "Dit formulier is verlopen of komt niet van deze site. Verstuur het opnieuw.",
    "too_many": "Te veel inschrijvingen vanaf deze verbinding. Probeer het over een uur opnieuw.",
    "mail_failed": "We konden de e-mail nu niet versturen. Probeer het over enkele minuten "
    "opnieuw.",
    "sent_title": "Kijk in je mailbox",
    "sent_body": "We hebben een e-mail gestuurd naar het adres dat je invulde. Open de link "
    "erin binnen 48 uur om je inschrijving te bevestigen. Tot dan gebeurt er niets.",
    "sent_spam": "Na enkele minuten nog geen e-mail? Kijk bij je ongewenste e-mail (spam), of "
    "schrijf je opnieuw in.",
    "confirm_title": "Bevestig je inschrijving",
    "confirm_body": "Druk op de knop om meldingen over vermiste kinderen in je buurt te krijgen.",
    "confirm_submit": "Mijn inschrijving bevestigen",
    "confirmed_title": "Je bent ingeschreven",
    "confirmed_body": "Bedankt. Als er binnen het bereik van je gebieden een kind vermist raakt, "
    "krijg je een e-mail.",
    "confirmed_manage": "Met deze link kun je je gegevens op elk moment downloaden of wissen (we "
    "stuurden hem je ook per e-mail):",
    "manage_link_text": "Mijn gegevens",
    "token_unknown": "Deze link is niet geldig. Controleer of je de volledige link uit de e-mail "
    "opende, of schrijf je opnieuw in.",
    "token_used": "Deze link is al gebruikt: een bevestigingslink werkt maar één keer. Heb je "
    "eerder bevestigd, dan ben je ingeschreven.",
    "token_expired": "Deze link is verlopen: hij was 48 uur geldig. Schrijf je opnieuw in.",
    "link_problem_title": "Deze link werkt niet",
    "signup_again": "Opnieuw inschrijven",
    "link_invalid": "Deze link is niet geldig. Gebruik de link uit je meest recente e-mail.",
    "stop_title": "De meldingen stoppen",
    "stop_body": "Druk op de knop en je krijgt geen meldingen meer. Je kunt je op elk moment "
    "opnieuw inschrijven.",
    "stop_button": "De meldingen stoppen",
    "stopped_title": "Je krijgt geen meldingen meer",
    "stopped_body": "Je meldingen staan uit. Van gedachten veranderd? Je kunt je op elk moment "
    "opnieuw inschrijven.",
    "stopped_data": "We bewaren je gegevens tot je ze wist:",
    "manage_title": "Je gegevens",
    "manage_intro": "Dit bewaren we over je.",
    "manage_status": "Meldingen",
    "manage_on": "aan",
    "manage_off": "uit",
    "manage_email": "E-mailadres",
    "manage_language": "Taal",
    "manage_areas": "Gebieden",
    "manage_quiet": "Stille uren",
    "manage_since": "Ingeschreven op",
    "area_home": "Thuis",
    "area_work": "Tweede gebied",
    "export_button": "Al mijn gegevens downloaden (JSON)",
    "delete_title": "Mijn gegevens wissen",
    "delete_body": "Hiermee wis je meteen je e-mailadres, je gebieden en je instellingen. Je "
    "krijgt geen meldingen meer. Dit kan niet ongedaan worden gemaakt.",
    "delete_button": "Al mijn gegevens wissen",
    "deleted_title": "Je gegevens zijn gewist",
    "deleted_body": "We bewaren geen gegevens meer over je. Bedankt voor je hulp.",
    "nothing_held": "We bewaren geen gegevens over je, dus je krijgt geen meldingen.",
    "mail_confirm_subject": "Bevestig je inschrijving voor meldingen over vermiste kinderen",
    "mail_hello": "Hallo,",
    "mail_confirm_intro": "Iemand, hopelijk jij, wil op dit adres meldingen krijgen over "
    "vermiste kinderen in de buurt.",
    "mail_confirm_action": "Open deze link binnen 48 uur om te bevestigen:",
    "mail_confirm_ignore": "Was jij het niet? Negeer dan deze e-mail: zonder bevestiging "
    "vergeten we het adres na 48 uur.",
    "mail_welcome_subject": "Je bent ingeschreven voor meldingen over vermiste kinderen",
    "mail_welcome_intro": "Bedankt voor je hulp. Als er binnen het bereik van je gebieden een "
    "kind vermist raakt, krijg je een e-mail.",
    "mail_welcome_manage": "Je gegevens downloaden of wissen:",
    "mail_welcome_stop": "De meldingen meteen stoppen:",
    "nav_language": "Taal",
    "skip_link": "Naar de inhoud",
    "hotline_note": "Zie je een vermist kind? Bel {hotline}, of 112 bij nood.",
}

FR = {
    "bot_error": "Désolé, un problème est survenu de notre côté. Réessayez dans un instant.",
    "welcome": "Bienvenue ! Quand un enfant disparaît près de chez vous, je vous envoie l’avis "
    "de recherche, pour que vous puissiez ouvrir l’œil. Vous pouvez arrêter à tout moment avec "
    "/stop.",
    "ask_place_home": "Où habitez-vous ? Touchez « 📍 Partager ma position » ci-dessous, ou "
    "tapez le nom ou le code postal de votre commune (par exemple « Namur » ou « 5000 »). Nous "
    "ne gardons votre position qu’arrondie à environ 1 km.",
    "ask_place_work": "Où travaillez-vous ? Tapez le nom ou le code postal de la commune (par "
    "exemple « Liège » ou « 4000 »), ou envoyez sa position (📎 → Position permet de choisir un "
    "point sur la carte). Nous ne la gardons qu’arrondie à environ 1 km.",
    "share_location_button": "📍 Partager ma position",
    "place_placeholder": "Commune ou code postal",
    "bot_place_unknown": "Je ne trouve pas ce lieu. Tapez le nom ou le code postal d’une "
    "commune belge (par exemple « Namur » ou « 5000 »), ou partagez une position.",
    "place_expected": "Partagez une position, ou tapez le nom ou le code postal de votre commune.",
    "choose_radius": "📍 Près de {place}.\nDans quel rayon autour de ce lieu voulez-vous "
    "recevoir les alertes ?",
    "radius_expected": "Choisissez une distance avec les boutons ci-dessus, ou tapez un nombre "
    "de kilomètres entre 1 et 200.",
    "summary": "Est-ce correct ?\n\nLangue : {language}\nZone : {area}",
    "area": "près de {place}, dans un rayon de {km} km",
    "confirm_button": "✅ Oui, m’inscrire",
    "restart_button": "↩️ Un autre lieu",
    "signed_up": "✅ C’est fait : votre inscription est enregistrée. Quand un enfant disparaît "
    "près de chez vous, vous recevrez un message ici.\n\n/settings – langue, zones et heures de "
    "silence\n/stop – arrêter les alertes\n/help – aide",
    "already_signed_up": "Votre inscription est déjà enregistrée ({area}).\n\n/settings – "
    "modifier votre langue, vos zones ou vos heures de silence\n/stop – arrêter les alertes",
    "language_expected": "Choisissez une langue avec les boutons ci-dessus.",
    "confirm_expected": "Confirmez avec les boutons ci-dessus, ou envoyez /start pour recommencer.",
    "location_outside": "Pour changer de zone, envoyez /settings.",
    "not_understood": "Désolé, je n’ai pas compris. Envoyez /help pour voir ce que je sais faire.",
    "help": "Je vous envoie les avis de recherche de {organisation} pour les enfants disparus "
    "près de chez vous.\n\n/start – s’inscrire\n/settings – modifier votre langue, vos zones "
    "(domicile et travail), la distance et vos heures de silence ; télécharger ou effacer vos "
    "données\n/stop – arrêter les alertes immédiatement\n"
    "/sighting – signaler que vous avez vu l’enfant d’un avis\n"
    "/help – cette aide\n\nVous voyez un "
    "enfant disparu ? Appelez le {hotline} ou la police (101). En cas d’urgence, appelez le 112.",
    "stopped": "🔕 C’est fait : vous ne recevrez plus d’alertes. Envoyez /start pour les "
    "réactiver.\nPour télécharger ou effacer vos données, envoyez /settings et choisissez "
    "« Mes données ».",
    "not_signed_up": "Aucune inscription n’est enregistrée pour ce compte : vous ne recevez pas "
    "d’alertes. Envoyez /start pour vous inscrire.",
    "settings_menu": "Vos réglages\n\nAlertes : {status}\nLangue : {language}\nDomicile : "
    "{home}\nTravail : {work}\nHeures de silence : {quiet}\n\nQue voulez-vous modifier ?",
    "status_on": "activées",
    "status_off": "désactivées (envoyez /start pour les réactiver)",
    "not_set": "non défini",
    "button_language": "🌐 Langue",
    "button_home": "🏠 Domicile",
    "button_work": "🏢 Travail",
    "button_quiet": "🌙 Heures de silence",
    "button_data": "📄 Mes données",
    "area_menu_home": "Domicile : {area}.\nQue voulez-vous modifier ?",
    "area_menu_work": "Travail : {area}.\nQue voulez-vous modifier ?",
    "button_change_place": "📍 Un autre lieu",
    "button_change_radius": "📏 Une autre distance",
    "button_remove_work": "🗑 Supprimer la zone de travail",
    "home_saved": "✅ Enregistré. Domicile : {area}.",
    "work_saved": "✅ Enregistré. Travail : {area}.",
    "work_removed": "✅ La zone de travail a été supprimée.",
    "language_saved": "✅ Désormais, je vous écris en français.",
    "quiet_menu": "Heures de silence : {quiet}.\n\nPendant vos heures de silence, vous ne "
    "recevez pas d’alertes, sauf les plus urgentes (appels publics pour un enfant en danger). "
    "Choisissez ci-dessous, ou tapez les heures, par exemple 22:00-07:00.",
    "quiet_none": "aucune",
    "quiet_off_button": "Pas d’heures de silence",
    "quiet_saved": "✅ Heures de silence : {quiet}.",
    "quiet_expected": "Tapez les heures de silence sous la forme de deux heures, par exemple "
    "22:00-07:00, ou choisissez avec les boutons ci-dessus.",
    "data_intro": "Voici tout ce que nous gardons à votre sujet :",
    "button_delete_data": "🗑 Effacer toutes mes données",
    "delete_question": "Cela efface vos réglages et vos zones, et vous ne recevrez plus "
    "d’alertes. C’est définitif. Voulez-vous vraiment continuer ?",
    "button_delete_yes": "Oui, tout effacer",
    "button_cancel": "Annuler",
    "deleted": "✅ Toutes vos données ont été effacées. Envoyez /start si vous souhaitez un jour "
    "vous réinscrire.",
    "cancelled": "Rien n’a été modifié.",
    "button_expired": "Ce bouton ne fonctionne plus. Envoyez /settings ou /start.",
    "command_start": "S’inscrire aux alertes près de chez vous",
    "command_settings": "Langue, zones, heures de silence, mes données",
    "command_stop": "Arrêter les alertes",
    "command_help": "Aide",
    "command_sighting": "Signaler l’avoir vu(e)",
    "signup_title": "Alertes pour les enfants disparus près de chez vous",
    "signup_intro": "Quand un enfant disparaît près de chez vous et que la diffusion peut aider, "
    "nous vous envoyons l’avis de recherche par e-mail. Vous choisissez où, et dans quel rayon.",
    "field_email": "Votre adresse e-mail",
    "hint_email": "Nous vous enverrons un lien pour la confirmer.",
    "field_language": "Langue des alertes",
    "field_place": "Où habitez-vous ?",
    "hint_place": "Commune, code postal ou adresse. Nous ne gardons qu’un point arrondi à "
    "environ 1 km.",
    "field_radius": "M’alerter dans un rayon de",
    "section_work": "Une deuxième zone (facultatif)",
    "hint_work": "Par exemple là où vous travaillez ou étudiez.",
    "field_work_place": "Commune, code postal ou adresse",
    "section_quiet": "Heures de silence (facultatif)",
    "hint_quiet": "Pas d’alertes pendant ces heures, sauf les plus urgentes (appels publics pour "
    "un enfant en danger). Des heures comme 22:00 et 07:00.",
    "field_quiet_start": "De",
    "field_quiet_end": "À",
    "privacy_title": "Vos données",
    "privacy_text": "Nous gardons votre adresse e-mail, votre langue, vos zones (arrondies à "
    "environ 1 km) et vos heures de silence, uniquement pour vous envoyer les alertes. Chaque "
    "e-mail contient un lien pour arrêter immédiatement, et pour télécharger ou effacer vos "
    "données.",
    "submit_signup": "M’inscrire",
    "required": "obligatoire",
    "error_summary": "Veuillez corriger les champs signalés ci-dessous.",
    "error_prefix": "Erreur :",
    "email_invalid": "Indiquez une adresse e-mail valable, comme nom@exemple.be.",
    "place_required": "Indiquez une commune, un code postal ou une adresse.",
    "place_unknown": "Nous ne trouvons pas ce lieu. Essayez le nom ou le code postal de la "
    "commune.",
    "radius_invalid": "Choisissez une distance dans la liste.",
    "language_invalid": "Choisissez une des langues.",
    "quiet_incomplete": "Indiquez les deux heures, ou laissez les deux vides.",
    "time_invalid": "Indiquez une heure comme 22:00.",
    "quiet_same": "Le début et la fin doivent être différents.",
    "quiet_invalid": "Indiquez les heures de silence comme 22:00-07:00.",
    "area_label_invalid": "Cette zone ne peut pas être modifiée.",
    "form_expired": "Ce formulaire a expiré ou ne vient pas de ce site. Veuillez l’envoyer à "
    "nouveau.",
    "too_many": "Trop d’inscriptions depuis cette connexion. Réessayez dans une heure.",
    "mail_failed": "Nous n’avons pas pu envoyer l’e-mail pour le moment. Réessayez dans "
    "quelques minutes.",
    "sent_title": "Consultez votre boîte mail",
    "sent_body": "Nous avons envoyé un e-mail à l’adresse indiquée. Ouvrez le lien qu’il "
    "contient dans les 48 heures pour confirmer votre inscription. D’ici là, rien ne se passe.",
    "sent_spam": "Pas d’e-mail après quelques minutes ? Regardez dans vos courriers "
    "indésirables, ou inscrivez-vous à nouveau.",
    "confirm_title": "Confirmez votre inscription",
    "confirm_body": "Appuyez sur le bouton pour recevoir les alertes pour les enfants disparus "
    "près de chez vous.",
    "confirm_submit": "Confirmer mon inscription",
    "confirmed_title": "Votre inscription est confirmée",
    "confirmed_body": "Merci. Quand un enfant disparaît à proximité de vos zones, vous recevrez "
    "un e-mail.",
    "confirmed_manage": "Ce lien vous permet à tout moment de télécharger ou d’effacer vos "
    "données (nous vous l’avons aussi envoyé par e-mail) :",
    "manage_link_text": "Mes données",
    "token_unknown": "Ce lien n’est pas valable. Vérifiez que vous avez ouvert le lien complet "
    "de l’e-mail, ou inscrivez-vous à nouveau.",
    "token_used": "Ce lien a déjà été utilisé : un lien de confirmation ne fonctionne qu’une "
    "fois. Si vous avez déjà confirmé, votre inscription est enregistrée.",
    "token_expired": "Ce lien a expiré : il était valable 48 heures. Veuillez vous inscrire à "
    "nouveau.",
    "link_problem_title": "Ce lien ne peut pas être utilisé",
    "signup_again": "M’inscrire à nouveau",
    "link_invalid": "Ce lien n’est pas valable. Utilisez le lien de votre e-mail le plus récent.",
    "stop_title": "Arrêter les alertes",
    "stop_body": "Appuyez sur le bouton et vous ne recevrez plus d’alertes. Vous pouvez vous "
    "réinscrire à tout moment.",
    "stop_button": "Arrêter les alertes",
    "stopped_title": "Vous ne recevrez plus d’alertes",
    "stopped_body": "Vos alertes sont désactivées. Vous avez changé d’avis ? Vous pouvez vous "
    "réinscrire à tout moment.",
    "stopped_data": "Nous gardons vos données jusqu’à ce que vous les effaciez :",
    "manage_title": "Vos données",
    "manage_intro": "Voici ce que nous gardons à votre sujet.",
    "manage_status": "Alertes",
    "manage_on": "activées",
    "manage_off": "désactivées",
    "manage_email": "Adresse e-mail",
    "manage_language": "Langue",
    "manage_areas": "Zones",
    "manage_quiet": "Heures de silence",
    "manage_since": "Inscription le",
    "area_home": "Domicile",
    "area_work": "Deuxième zone",
    "export_button": "Télécharger toutes mes données (JSON)",
    "delete_title": "Effacer mes données",
    "delete_body": "Cela efface immédiatement votre adresse e-mail, vos zones et vos réglages. "
    "Vous ne recevrez plus d’alertes. C’est définitif.",
    "delete_button": "Effacer toutes mes données",
    "deleted_title": "Vos données ont été effacées",
    "deleted_body": "Nous ne gardons plus aucune donnée à votre sujet. Merci pour votre aide.",
    "nothing_held": "Nous ne gardons aucune donnée à votre sujet : vous ne recevez donc pas "
    "d’alertes.",
    "mail_confirm_subject": "Confirmez votre inscription aux alertes pour les enfants disparus",
    "mail_hello": "Bonjour,",
    "mail_confirm_intro": "Quelqu’un, vous sans doute, a demandé à recevoir à cette adresse les "
    "alertes pour les enfants disparus dans sa région.",
    "mail_confirm_action": "Pour confirmer, ouvrez ce lien dans les 48 heures :",
    "mail_confirm_ignore": "Ce n’était pas vous ? Ignorez simplement cet e-mail : sans "
    "confirmation, nous oublions l’adresse après 48 heures.",
    "mail_welcome_subject": "Votre inscription aux alertes pour les enfants disparus est confirmée",
    "mail_welcome_intro": "Merci pour votre aide. Quand un enfant disparaît à proximité de vos "
    "zones, vous recevrez un e-mail.",
    "mail_welcome_manage": "Télécharger ou effacer vos données :",
    "mail_welcome_stop": "Arrêter les alertes immédiatement :",
    "nav_language": "Langue",
    "skip_link": "Aller au contenu",
    "hotline_note": "Vous voyez un enfant disparu ? Appelez le {hotline}, ou le 112 en cas "
    "d’urgence.",
}

DE = {
    "bot_error": "Entschuldigung, bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es "
    "gleich noch einmal.",
    "welcome": "Willkommen! Wenn in Ihrer Nähe ein Kind vermisst wird, schicke ich Ihnen die "
    "Suchmeldung, damit Sie die Augen offen halten können. Mit /stop können Sie jederzeit "
    "aufhören.",
    "ask_place_home": "Wo wohnen Sie? Tippen Sie unten auf „📍 Meinen Standort teilen“ oder "
    "geben Sie den Namen oder die Postleitzahl Ihrer Gemeinde ein (zum Beispiel „Eupen“ oder "
    "„4700“). Wir speichern Ihren Ort nur auf etwa 1 km gerundet.",
    "ask_place_work": "Wo arbeiten Sie? Geben Sie den Namen oder die Postleitzahl der Gemeinde "
    "ein (zum Beispiel „Sankt Vith“ oder „4780“) oder senden Sie den Standort (über 📎 → "
    "Standort wählen Sie einen Punkt auf der Karte). Wir speichern ihn nur auf etwa 1 km "
    "gerundet.",
    "share_location_button": "📍 Meinen Standort teilen",
    "place_placeholder": "Gemeinde oder Postleitzahl",
    "bot_place_unknown": "Diesen Ort finde ich nicht. Geben Sie den Namen oder die Postleitzahl "
    "einer belgischen Gemeinde ein (zum Beispiel „Eupen“ oder „4700“) oder teilen Sie einen "
    "Standort.",
    "place_expected": "Bitte teilen Sie einen Standort oder geben Sie den Namen oder die "
    "Postleitzahl Ihrer Gemeinde ein.",
    "choose_radius": "📍 In der Nähe von {place}.\nIn welchem Umkreis davon möchten Sie "
    "Meldungen erhalten?",
    "radius_expected": "Bitte wählen Sie eine Entfernung mit den Schaltflächen oben oder geben "
    "Sie eine Zahl von Kilometern zwischen 1 und 200 ein.",
    "summary": "Stimmt das?\n\nSprache: {language}\nGebiet: {area}",
    "area": "in der Nähe von {place}, im Umkreis von {km} km",
    "confirm_button": "✅ Ja, anmelden",
    "restart_button": "↩️ Anderer Ort",
    "signed_up": "✅ Sie sind angemeldet. Wenn in Ihrer Nähe ein Kind vermisst wird, erhalten "
    "Sie hier eine Nachricht.\n\n/settings – Sprache, Gebiete und Ruhezeiten\n/stop – die "
    "Meldungen beenden\n/help – Hilfe",
    "already_signed_up": "Sie sind bereits angemeldet ({area}).\n\n/settings – Sprache, Gebiete "
    "oder Ruhezeiten ändern\n/stop – die Meldungen beenden",
    "language_expected": "Bitte wählen Sie eine Sprache mit den Schaltflächen oben.",
    "confirm_expected": "Bitte bestätigen Sie mit den Schaltflächen oben oder senden Sie /start, "
    "um neu zu beginnen.",
    "location_outside": "Um Ihr Gebiet zu ändern, senden Sie /settings.",
    "not_understood": "Das habe ich leider nicht verstanden. Senden Sie /help, um zu sehen, was "
    "ich kann.",
    "help": "Ich schicke Ihnen die Suchmeldungen von {organisation} zu vermissten Kindern in "
    "Ihrer Nähe.\n\n/start – anmelden\n/settings – Sprache, Gebiete (Wohnort und Arbeit), "
    "Entfernung und Ruhezeiten ändern; Ihre Daten herunterladen oder löschen\n/stop – die "
    "Meldungen sofort beenden\n"
    "/sighting – melden, dass Sie das Kind einer Meldung gesehen haben\n"
    "/help – diese Hilfe\n\nSie sehen ein vermisstes Kind? Rufen Sie "
    "{hotline} oder die Polizei (101) an. Im Notfall rufen Sie 112 an.",
    "stopped": "🔕 Erledigt: Sie erhalten keine Meldungen mehr. Senden Sie /start, um sie "
    "wieder einzuschalten.\nUm Ihre Daten herunterzuladen oder zu löschen, senden Sie /settings "
    "und wählen Sie „Meine Daten“.",
    "not_signed_up": "Sie sind nicht angemeldet und erhalten daher keine Meldungen. Senden Sie "
    "/start, um sich anzumelden.",
    "settings_menu": "Ihre Einstellungen\n\nMeldungen: {status}\nSprache: {language}\nWohnort: "
    "{home}\nArbeit: {work}\nRuhezeiten: {quiet}\n\nWas möchten Sie ändern?",
    "status_on": "ein",
    "status_off": "aus (senden Sie /start, um sie einzuschalten)",
    "not_set": "nicht festgelegt",
    "button_language": "🌐 Sprache",
    "button_home": "🏠 Wohnort",
    "button_work": "🏢 Arbeit",
    "button_quiet": "🌙 Ruhezeiten",
    "button_data": "📄 Meine Daten",
    "area_menu_home": "Wohnort: {area}.\nWas möchten Sie ändern?",
    "area_menu_work": "Arbeit: {area}.\nWas möchten Sie ändern?",
    "button_change_place": "📍 Anderer Ort",
    "button_change_radius": "📏 Andere Entfernung",
    "button_remove_work": "🗑 Arbeitsgebiet entfernen",
    "home_saved": "✅ Gespeichert. Wohnort: {area}.",
    "work_saved": "✅ Gespeichert. Arbeit: {area}.",
    "work_removed": "✅ Das Arbeitsgebiet wurde entfernt.",
    "language_saved": "✅ Ab jetzt schreibe ich Ihnen auf Deutsch.",
    "quiet_menu": "Ruhezeiten: {quiet}.\n\nWährend Ihrer Ruhezeiten erhalten Sie keine "
    "Meldungen, außer den dringendsten (öffentliche Aufrufe zu einem Kind in Gefahr). Wählen Sie "
    "unten oder geben Sie die Zeiten ein, zum Beispiel 22:00-07:00.",
    "quiet_none": "keine",
    "quiet_off_button": "Keine Ruhezeiten",
    "quiet_saved": "✅ Ruhezeiten: {quiet}.",
    "quiet_expected": "Bitte geben Sie die Ruhezeiten als zwei Uhrzeiten ein, zum Beispiel "
    "22:00-07:00, oder wählen Sie mit den Schaltflächen oben.",
    "data_intro": "Das ist alles, was wir über Sie gespeichert haben:",
    "button_delete_data": "🗑 Alle meine Daten löschen",
    "delete_question": "Damit löschen Sie Ihre Einstellungen und Gebiete, und Sie erhalten keine "
    "Meldungen mehr. Das kann nicht rückgängig gemacht werden. Sind Sie sicher?",
    "button_delete_yes": "Ja, alles löschen",
    "button_cancel": "Abbrechen",
    "deleted": "✅ Alle Ihre Daten wurden gelöscht. Senden Sie /start, wenn Sie sich irgendwann "
    "wieder anmelden möchten.",
    "cancelled": "Es wurde nichts geändert.",
    "button_expired": "Diese Schaltfläche funktioniert nicht mehr. Senden Sie /settings oder "
    "/start.",
    "command_start": "Für Meldungen in Ihrer Nähe anmelden",
    "command_settings": "Sprache, Gebiete, Ruhezeiten, meine Daten",
    "command_stop": "Die Meldungen beenden",
    "command_help": "Hilfe",
    "command_sighting": "Eine Sichtung melden",
    "signup_title": "Meldungen zu vermissten Kindern in Ihrer Nähe",
    "signup_intro": "Wenn in Ihrer Nähe ein Kind vermisst wird und Öffentlichkeit helfen kann, "
    "schicken wir Ihnen die Suchmeldung per E-Mail. Sie bestimmen, wo und in welchem Umkreis.",
    "field_email": "Ihre E-Mail-Adresse",
    "hint_email": "Wir schicken Ihnen einen Link, um sie zu bestätigen.",
    "field_language": "Sprache der Meldungen",
    "field_place": "Wo wohnen Sie?",
    "hint_place": "Gemeinde, Postleitzahl oder Adresse. Wir speichern nur einen auf etwa 1 km "
    "gerundeten Punkt.",
    "field_radius": "Meldungen im Umkreis von",
    "section_work": "Ein zweites Gebiet (freiwillig)",
    "hint_work": "Zum Beispiel dort, wo Sie arbeiten oder studieren.",
    "field_work_place": "Gemeinde, Postleitzahl oder Adresse",
    "section_quiet": "Ruhezeiten (freiwillig)",
    "hint_quiet": "In diesen Stunden keine Meldungen, außer den dringendsten (öffentliche "
    "Aufrufe zu einem Kind in Gefahr). Uhrzeiten wie 22:00 und 07:00.",
    "field_quiet_start": "Von",
    "field_quiet_end": "Bis",
    "privacy_title": "Ihre Daten",
    "privacy_text": "Wir speichern Ihre E-Mail-Adresse, Ihre Sprache, Ihre Gebiete (auf etwa "
    "1 km gerundet) und Ihre Ruhezeiten, nur um Ihnen Meldungen zu schicken. Jede E-Mail enthält "
    "einen Link, um sofort aufzuhören und um Ihre Daten herunterzuladen oder zu löschen.",
    "submit_signup": "Anmelden",
    "required": "Pflichtfeld",
    "error_summary": "Bitte korrigieren Sie die unten markierten Felder.",
    "error_prefix": "Fehler:",
    "email_invalid": "Geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@beispiel.be.",
    "place_required": "Geben Sie eine Gemeinde, eine Postleitzahl oder eine Adresse ein.",
    "place_unknown": "Diesen Ort finden wir nicht. Versuchen Sie es mit dem Namen oder der "
    "Postleitzahl der Gemeinde.",
    "radius_invalid": "Wählen Sie eine Entfernung aus der Liste.",
    "language_invalid": "Wählen Sie eine der Sprachen.",
    "quiet_incomplete": "Geben Sie beide Uhrzeiten ein oder lassen Sie beide leer.",
    "time_invalid": "Geben Sie eine Uhrzeit wie 22:00 ein.",
    "quiet_same": "Beginn und Ende müssen verschieden sein.",
    "quiet_invalid": "Geben Sie die Ruhezeiten wie 22:00-07:00 ein.",
    "area_label_invalid": "Dieses Gebiet kann nicht geändert werden.",
    "form_expired": "Dieses Formular ist abgelaufen oder stammt nicht von dieser Website. Bitte "
    "senden Sie es erneut.",
    "too_many": "Zu viele Anmeldungen über diese Verbindung. Bitte versuchen Sie es in einer "
    "Stunde erneut.",
    "mail_failed": "Wir konnten die E-Mail gerade nicht senden. Bitte versuchen Sie es in ein "
    "paar Minuten erneut.",
    "sent_title": "Sehen Sie in Ihr Postfach",
    "sent_body": "Wir haben eine E-Mail an die angegebene Adresse geschickt. Öffnen Sie den Link "
    "darin innerhalb von 48 Stunden, um Ihre Anmeldung zu bestätigen. Bis dahin geschieht "
    "nichts.",
    "sent_spam": "Nach ein paar Minuten noch keine E-Mail? Sehen Sie im Spam-Ordner nach oder "
    "melden Sie sich erneut an.",
    "confirm_title": "Bestätigen Sie Ihre Anmeldung",
    "confirm_body": "Drücken Sie die Schaltfläche, um Meldungen zu vermissten Kindern in Ihrer "
    "Nähe zu erhalten.",
    "confirm_submit": "Meine Anmeldung bestätigen",
    "confirmed_title": "Sie sind angemeldet",
    "confirmed_body": "Vielen Dank. Wenn im Umkreis Ihrer Gebiete ein Kind vermisst wird, "
    "erhalten Sie eine E-Mail.",
    "confirmed_manage": "Über diesen Link können Sie Ihre Daten jederzeit herunterladen oder "
    "löschen (wir haben ihn Ihnen auch per E-Mail geschickt):",
    "manage_link_text": "Meine Daten",
    "token_unknown": "Dieser Link ist ungültig. Prüfen Sie, ob Sie den vollständigen Link aus "
    "der E-Mail geöffnet haben, oder melden Sie sich erneut an.",
    "token_used": "Dieser Link wurde bereits verwendet: Ein Bestätigungslink funktioniert nur "
    "einmal. Wenn Sie schon bestätigt haben, sind Sie angemeldet.",
    "token_expired": "Dieser Link ist abgelaufen: Er war 48 Stunden gültig. Bitte melden Sie "
    "sich erneut an.",
    "link_problem_title": "Dieser Link kann nicht verwendet werden",
    "signup_again": "Erneut anmelden",
    "link_invalid": "Dieser Link ist ungültig. Bitte verwenden Sie den Link aus Ihrer neuesten "
    "E-Mail.",
    "stop_title": "Die Meldungen beenden",
    "stop_body": "Drücken Sie die Schaltfläche, und Sie erhalten keine Meldungen mehr. Sie "
    "können sich jederzeit wieder anmelden.",
    "stop_button": "Die Meldungen beenden",
    "stopped_title": "Sie erhalten keine Meldungen mehr",
    "stopped_body": "Ihre Meldungen sind ausgeschaltet. Haben Sie es sich anders überlegt? Sie "
    "können sich jederzeit wieder anmelden.",
    "stopped_data": "Wir bewahren Ihre Daten auf, bis Sie sie löschen:",
    "manage_title": "Ihre Daten",
    "manage_intro": "Das haben wir über Sie gespeichert.",
    "manage_status": "Meldungen",
    "manage_on": "ein",
    "manage_off": "aus",
    "manage_email": "E-Mail-Adresse",
    "manage_language": "Sprache",
    "manage_areas": "Gebiete",
    "manage_quiet": "Ruhezeiten",
    "manage_since": "Angemeldet am",
    "area_home": "Wohnort",
    "area_work": "Zweites Gebiet",
    "export_button": "Alle meine Daten herunterladen (JSON)",
    "delete_title": "Meine Daten löschen",
    "delete_body": "Damit werden Ihre E-Mail-Adresse, Ihre Gebiete und Ihre Einstellungen "
    "sofort gelöscht. Sie erhalten keine Meldungen mehr. Das kann nicht rückgängig gemacht "
    "werden.",
    "delete_button": "Alle meine Daten löschen",
    "deleted_title": "Ihre Daten wurden gelöscht",
    "deleted_body": "Wir haben keine Daten mehr über Sie gespeichert. Vielen Dank für Ihre Hilfe.",
    "nothing_held": "Wir haben keine Daten über Sie gespeichert, daher erhalten Sie keine "
    "Meldungen.",
    "mail_confirm_subject": "Bitte bestätigen Sie Ihre Anmeldung für Meldungen zu vermissten "
    "Kindern",
    "mail_hello": "Guten Tag,",
    "mail_confirm_intro": "Jemand, hoffentlich Sie, möchte an diese Adresse Meldungen zu "
    "vermissten Kindern in der Nähe erhalten.",
    "mail_confirm_action": "Öffnen Sie zur Bestätigung diesen Link innerhalb von 48 Stunden:",
    "mail_confirm_ignore": "Das waren nicht Sie? Dann ignorieren Sie diese E-Mail: Ohne "
    "Bestätigung vergessen wir die Adresse nach 48 Stunden.",
    "mail_welcome_subject": "Sie sind für Meldungen zu vermissten Kindern angemeldet",
    "mail_welcome_intro": "Vielen Dank für Ihre Hilfe. Wenn im Umkreis Ihrer Gebiete ein Kind "
    "vermisst wird, erhalten Sie eine E-Mail.",
    "mail_welcome_manage": "Ihre Daten herunterladen oder löschen:",
    "mail_welcome_stop": "Die Meldungen sofort beenden:",
    "nav_language": "Sprache",
    "skip_link": "Zum Inhalt",
    "hotline_note": "Sie sehen ein vermisstes Kind? Rufen Sie {hotline} an, im Notfall 112.",
}

# French puts a no-break space before : ; ! ? and inside « »; writing the texts with plain
# spaces keeps them readable here, and this makes them right.
_FRENCH_SPACES = re.compile(r"(?<=«) | (?=[:;!?»])")


def _typeset_french(texts: dict[str, str]) -> dict[str, str]:
    return {key: _FRENCH_SPACES.sub("\u00a0", value) for key, value in texts.items()}


TEXTS: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        "nl": MappingProxyType(NL),
        "fr": MappingProxyType(_typeset_french(FR)),
        "de": MappingProxyType(DE),
        "en": MappingProxyType(EN),
    }
)


def text(lang: str, key: str, **values: object) -> str:
    """The text `key` in `lang` (English when `lang` is not one of ours), filled in."""
    texts = TEXTS.get(lang) or TEXTS["en"]
    return texts[key].format(**values) if values else texts[key]


def km(lang: str, value: float) -> str:
    """A distance in km as the language writes it: 10, 2.5 (en) or 2,5 (nl, fr, de)."""
    shown = f"{value:g}"
    return shown if lang == "en" else shown.replace(".", ",")
