/*
 * core/diag_codes.h - the table of diagnostic codes (X-macro).
 *
 * DIAG_CODE(ID, "code", default severity, "one-line description")
 * The code strings are stable: scripts match on them and the man page lists
 * them (tests/cli/man-codes.sh checks that every code is documented).
 * Add a line; never rename or reuse one.
 */
DIAG_CODE(MISSING_MAP, "missing-map", DIAG_ERROR, "a referenced table does not exist or cannot be read")
DIAG_CODE(STALE_INDEX, "stale-index", DIAG_WARNING, "an index older than its source (warning), or absent (error)")
DIAG_CODE(UNDEFINED_CLASS, "undefined-class", DIAG_ERROR, "an action names a restriction class that is not defined")
DIAG_CODE(UNUSED_CLASS, "unused-class", DIAG_WARNING, "a restriction class is defined but never used")
DIAG_CODE(BAD_REGEX, "bad-regex", DIAG_ERROR, "a regular expression does not compile")
DIAG_CODE(BAD_ACTION, "bad-action", DIAG_ERROR, "an access action Postfix does not know")
DIAG_CODE(BAD_CODE, "bad-code", DIAG_ERROR, "a reply code outside 4xx/5xx, or an enhanced status code that disagrees with it")
DIAG_CODE(REJECT_TEXT_LOOKS_LIKE_CODE, "reject-text-looks-like-code", DIAG_WARNING, "reply text that looks like a reply code (REJECT 521)")
DIAG_CODE(POSTMASTER_REJECTED, "postmaster-rejected", DIAG_WARNING, "a recipient table rejects postmaster@")
DIAG_CODE(BAD_NEXTHOP, "bad-nexthop", DIAG_ERROR, "a transport nexthop that cannot work")
DIAG_CODE(DUPLICATE_KEY, "duplicate-key", DIAG_WARNING, "the same key twice; Postfix uses the first")
DIAG_CODE(SYNTAX, "syntax", DIAG_ERROR, "a line Postfix cannot parse and skips")
DIAG_CODE(BAD_REFERENCE, "bad-reference", DIAG_ERROR, "a malformed or unsupported type:name table reference")
DIAG_CODE(MAINCF_SYNTAX, "maincf-syntax", DIAG_ERROR, "a main.cf line Postfix cannot parse")
DIAG_CODE(UNKNOWN_RESTRICTION, "unknown-restriction", DIAG_ERROR, "a restriction name smtpd does not know")
DIAG_CODE(DUPLICATE_PARAMETER, "duplicate-parameter", DIAG_WARNING, "a main.cf parameter set twice; the last one wins")
DIAG_CODE(UNDEFINED_PARAMETER, "undefined-parameter", DIAG_WARNING, "$name of a parameter that is neither set nor known; it expands to nothing")
DIAG_CODE(UNKNOWN_PARAMETER, "unknown-parameter", DIAG_WARNING, "a main.cf parameter name Postfix does not know (a typo?)")
DIAG_CODE(NO_RELAY_RESTRICTION, "no-relay-restriction", DIAG_ERROR, "neither relay nor recipient restrictions stop relaying; smtpd will not start")
DIAG_CODE(TRAILING_COMMENT, "trailing-comment", DIAG_WARNING, "a '#' after a value is part of the value, not a comment")
DIAG_CODE(UNREACHABLE_KEY, "unreachable-key", DIAG_WARNING, "a key smtpd never looks up in this table")
DIAG_CODE(NO_RESULT, "no-result", DIAG_ERROR, "a pattern rule without result; smtpd answers 451 4.3.5 when it matches")
DIAG_CODE(IGNORED_RESTRICTION, "ignored-restriction", DIAG_WARNING, "a restriction after permit/reject that is never reached")
DIAG_CODE(UNKNOWN_TRANSPORT, "unknown-transport", DIAG_ERROR, "a transport (or FILTER transport) that master.cf does not define")
DIAG_CODE(OPEN_RELAY, "open-relay", DIAG_WARNING, "an OK that ends relay checking before reject_unauth_destination for a forgeable name")
DIAG_CODE(UNREADABLE_MAP, "unreadable-map", DIAG_ERROR, "an index exists but Postfix cannot read it (truncated, corrupted, wrong format)")
DIAG_CODE(MACRO_NESTING, "macro-nesting", DIAG_ERROR, "main.cf $name expansion that never ends (a = $b, b = $a) or nests too deep; Postfix stops")
DIAG_CODE(UNUSED_MAP, "unused-map", DIAG_WARNING, "a built table in the configuration directory that nothing references")
DIAG_CODE(WRAPPED_MASK, "wrapped-mask", DIAG_WARNING, "a cidr prefix length over 255, which Postfix reads modulo 256 (/264 is /8)")
DIAG_CODE(SHADOWED_RULE, "shadowed-rule", DIAG_WARNING, "a regexp/pcre rule that never matches because an earlier rule always matches first")
DIAG_CODE(BAD_RESTRICTION_ARG, "bad-restriction-arg", DIAG_ERROR, "a restriction argument smtpd cannot use: it exits at startup, answers 451 4.3.5 or skips the rule")
