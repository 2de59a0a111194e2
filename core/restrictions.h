/*
 * core/restrictions.h - every restriction name smtpd 3.7 knows (X-macro).
 *
 * RESTRICTION(ID, "name", argument, stage, table role, explain handler)
 *
 * The one list of restriction names: check (core/maincf.c), the table
 * value checks (core/access.c) and explain (core/explain_restrict.c) read
 * it through core/restriction.h.  Taken from generic_checks() in Postfix
 * 3.7.11 src/smtpd/smtpd_check.c (the names after strcasecmp and
 * is_map_command), plus reject_sender_login_mismatch, which smtpd_check_init()
 * defines as a built-in restriction class.  A name not here and not in
 * smtpd_restriction_classes makes smtpd log "unknown smtpd restriction" and
 * answer 451 4.3.5 when it reaches it (reject_unknown_forward_client_hostname
 * and permit_mx_primary are not 3.7 names; dunno is a table result only).
 *
 * argument (what smtpd takes from the next word of the list):
 *   RARG_NONE    none
 *   RARG_MAP     type:table (is_map_command: else 451 4.3.5 "bad argument")
 *   RARG_POLICY  transport:endpoint (registered at startup: a malformed one
 *                is fatal, "need service transport:endpoint"; missing at the
 *                end of a list: 451 4.3.5 "must be followed by transport:server")
 *   RARG_NUMBER  digits (sleep: else 451 4.3.5)
 *   RARG_DOMAIN  a DNS list domain (missing at the end of the list: smtpd
 *                warns "requires domain name argument" and skips the rule)
 * stage: the SMTP command whose data the restriction looks at (ANY: none).
 * table role: what the RARG_MAP table's keys are (core/maincf.h).
 *
 * Keep the lines sorted by name (byte order): lookups bisect, and
 * tests/unit/test_restriction.c checks the order.
 */
RESTRICTION(CHECK_CCERT_ACCESS, "check_ccert_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_CLIENT, r_ccert_access)
RESTRICTION(CHECK_CLIENT_A_ACCESS, "check_client_a_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_HELO, r_client_dns_access)
RESTRICTION(CHECK_CLIENT_ACCESS, "check_client_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_CLIENT, r_client_access)
RESTRICTION(CHECK_CLIENT_MX_ACCESS, "check_client_mx_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_HELO, r_client_dns_access)
RESTRICTION(CHECK_CLIENT_NS_ACCESS, "check_client_ns_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_HELO, r_client_dns_access)
RESTRICTION(CHECK_ETRN_ACCESS, "check_etrn_access", RARG_MAP, RSTAGE_ETRN, MAINCF_ROLE_ACCESS, r_etrn_access)
RESTRICTION(CHECK_HELO_A_ACCESS, "check_helo_a_access", RARG_MAP, RSTAGE_HELO, MAINCF_ROLE_HELO, r_helo_dns_access)
RESTRICTION(CHECK_HELO_ACCESS, "check_helo_access", RARG_MAP, RSTAGE_HELO, MAINCF_ROLE_HELO, r_helo_access)
RESTRICTION(CHECK_HELO_MX_ACCESS, "check_helo_mx_access", RARG_MAP, RSTAGE_HELO, MAINCF_ROLE_HELO, r_helo_dns_access)
RESTRICTION(CHECK_HELO_NS_ACCESS, "check_helo_ns_access", RARG_MAP, RSTAGE_HELO, MAINCF_ROLE_HELO, r_helo_dns_access)
RESTRICTION(CHECK_POLICY_SERVICE, "check_policy_service", RARG_POLICY, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_policy_service)
RESTRICTION(CHECK_RECIPIENT_A_ACCESS, "check_recipient_a_access", RARG_MAP, RSTAGE_RCPT, MAINCF_ROLE_HELO, r_recipient_dns_access)
RESTRICTION(CHECK_RECIPIENT_ACCESS, "check_recipient_access", RARG_MAP, RSTAGE_RCPT, MAINCF_ROLE_RECIPIENT, r_recipient_access)
RESTRICTION(CHECK_RECIPIENT_MAPS, "check_recipient_maps", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_rcpt_maps)
RESTRICTION(CHECK_RECIPIENT_MX_ACCESS, "check_recipient_mx_access", RARG_MAP, RSTAGE_RCPT, MAINCF_ROLE_HELO, r_recipient_dns_access)
RESTRICTION(CHECK_RECIPIENT_NS_ACCESS, "check_recipient_ns_access", RARG_MAP, RSTAGE_RCPT, MAINCF_ROLE_HELO, r_recipient_dns_access)
RESTRICTION(CHECK_RELAY_DOMAINS, "check_relay_domains", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_relay_domains)
RESTRICTION(CHECK_REVERSE_CLIENT_HOSTNAME_A_ACCESS, "check_reverse_client_hostname_a_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_HELO, r_client_dns_access)
RESTRICTION(CHECK_REVERSE_CLIENT_HOSTNAME_ACCESS, "check_reverse_client_hostname_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_CLIENT, r_reverse_client_access)
RESTRICTION(CHECK_REVERSE_CLIENT_HOSTNAME_MX_ACCESS, "check_reverse_client_hostname_mx_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_HELO, r_client_dns_access)
RESTRICTION(CHECK_REVERSE_CLIENT_HOSTNAME_NS_ACCESS, "check_reverse_client_hostname_ns_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_HELO, r_client_dns_access)
RESTRICTION(CHECK_SASL_ACCESS, "check_sasl_access", RARG_MAP, RSTAGE_CLIENT, MAINCF_ROLE_ACCESS, r_sasl_access)
RESTRICTION(CHECK_SENDER_A_ACCESS, "check_sender_a_access", RARG_MAP, RSTAGE_SENDER, MAINCF_ROLE_HELO, r_sender_dns_access)
RESTRICTION(CHECK_SENDER_ACCESS, "check_sender_access", RARG_MAP, RSTAGE_SENDER, MAINCF_ROLE_SENDER, r_sender_access)
RESTRICTION(CHECK_SENDER_MX_ACCESS, "check_sender_mx_access", RARG_MAP, RSTAGE_SENDER, MAINCF_ROLE_HELO, r_sender_dns_access)
RESTRICTION(CHECK_SENDER_NS_ACCESS, "check_sender_ns_access", RARG_MAP, RSTAGE_SENDER, MAINCF_ROLE_HELO, r_sender_dns_access)
RESTRICTION(DEFER, "defer", RARG_NONE, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_defer)
RESTRICTION(DEFER_IF_PERMIT, "defer_if_permit", RARG_NONE, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_defer_if_permit)
RESTRICTION(DEFER_IF_REJECT, "defer_if_reject", RARG_NONE, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_defer_if_reject)
RESTRICTION(DEFER_UNAUTH_DESTINATION, "defer_unauth_destination", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_unauth_destination)
RESTRICTION(PERMIT, "permit", RARG_NONE, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_permit)
RESTRICTION(PERMIT_AUTH_DESTINATION, "permit_auth_destination", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_auth_destination)
RESTRICTION(PERMIT_DNSWL_CLIENT, "permit_dnswl_client", RARG_DOMAIN, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(PERMIT_INET_INTERFACES, "permit_inet_interfaces", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_inet_interfaces)
RESTRICTION(PERMIT_MX_BACKUP, "permit_mx_backup", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_mx_backup)
RESTRICTION(PERMIT_MYNETWORKS, "permit_mynetworks", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_mynetworks)
RESTRICTION(PERMIT_NAKED_IP_ADDRESS, "permit_naked_ip_address", RARG_NONE, RSTAGE_HELO, MAINCF_ROLE_GENERIC, r_naked_ip_address)
RESTRICTION(PERMIT_RHSWL_CLIENT, "permit_rhswl_client", RARG_DOMAIN, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(PERMIT_SASL_AUTHENTICATED, "permit_sasl_authenticated", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_sasl_authenticated)
RESTRICTION(PERMIT_TLS_ALL_CLIENTCERTS, "permit_tls_all_clientcerts", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_tls_clientcerts)
RESTRICTION(PERMIT_TLS_CLIENTCERTS, "permit_tls_clientcerts", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_tls_clientcerts)
RESTRICTION(REJECT, "reject", RARG_NONE, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_reject)
RESTRICTION(REJECT_AUTHENTICATED_SENDER_LOGIN_MISMATCH, "reject_authenticated_sender_login_mismatch", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_login_mismatch)
RESTRICTION(REJECT_INVALID_HELO_HOSTNAME, "reject_invalid_helo_hostname", RARG_NONE, RSTAGE_HELO, MAINCF_ROLE_GENERIC, r_invalid_helo)
RESTRICTION(REJECT_INVALID_HOSTNAME, "reject_invalid_hostname", RARG_NONE, RSTAGE_HELO, MAINCF_ROLE_GENERIC, r_invalid_helo)
RESTRICTION(REJECT_KNOWN_SENDER_LOGIN_MISMATCH, "reject_known_sender_login_mismatch", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_login_mismatch)
RESTRICTION(REJECT_MAPS_RBL, "reject_maps_rbl", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(REJECT_MULTI_RECIPIENT_BOUNCE, "reject_multi_recipient_bounce", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_multi_recipient_bounce)
RESTRICTION(REJECT_NON_FQDN_HELO_HOSTNAME, "reject_non_fqdn_helo_hostname", RARG_NONE, RSTAGE_HELO, MAINCF_ROLE_GENERIC, r_non_fqdn_helo)
RESTRICTION(REJECT_NON_FQDN_HOSTNAME, "reject_non_fqdn_hostname", RARG_NONE, RSTAGE_HELO, MAINCF_ROLE_GENERIC, r_non_fqdn_helo)
RESTRICTION(REJECT_NON_FQDN_RECIPIENT, "reject_non_fqdn_recipient", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_non_fqdn_recipient)
RESTRICTION(REJECT_NON_FQDN_SENDER, "reject_non_fqdn_sender", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_non_fqdn_sender)
RESTRICTION(REJECT_PLAINTEXT_SESSION, "reject_plaintext_session", RARG_NONE, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_plaintext_session)
RESTRICTION(REJECT_RBL, "reject_rbl", RARG_DOMAIN, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(REJECT_RBL_CLIENT, "reject_rbl_client", RARG_DOMAIN, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(REJECT_RHSBL_CLIENT, "reject_rhsbl_client", RARG_DOMAIN, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(REJECT_RHSBL_HELO, "reject_rhsbl_helo", RARG_DOMAIN, RSTAGE_HELO, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(REJECT_RHSBL_RECIPIENT, "reject_rhsbl_recipient", RARG_DOMAIN, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(REJECT_RHSBL_REVERSE_CLIENT, "reject_rhsbl_reverse_client", RARG_DOMAIN, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(REJECT_RHSBL_SENDER, "reject_rhsbl_sender", RARG_DOMAIN, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_dnsxl)
RESTRICTION(REJECT_SENDER_LOGIN_MISMATCH, "reject_sender_login_mismatch", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_login_mismatch)
RESTRICTION(REJECT_UNAUTH_DESTINATION, "reject_unauth_destination", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_unauth_destination)
RESTRICTION(REJECT_UNAUTH_PIPELINING, "reject_unauth_pipelining", RARG_NONE, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_unauth_pipelining)
RESTRICTION(REJECT_UNAUTHENTICATED_SENDER_LOGIN_MISMATCH, "reject_unauthenticated_sender_login_mismatch", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_login_mismatch)
RESTRICTION(REJECT_UNKNOWN_ADDRESS, "reject_unknown_address", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_unknown_domain)
RESTRICTION(REJECT_UNKNOWN_CLIENT, "reject_unknown_client", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_unknown_client)
RESTRICTION(REJECT_UNKNOWN_CLIENT_HOSTNAME, "reject_unknown_client_hostname", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_unknown_client)
RESTRICTION(REJECT_UNKNOWN_HELO_HOSTNAME, "reject_unknown_helo_hostname", RARG_NONE, RSTAGE_HELO, MAINCF_ROLE_GENERIC, r_unknown_helo)
RESTRICTION(REJECT_UNKNOWN_HOSTNAME, "reject_unknown_hostname", RARG_NONE, RSTAGE_HELO, MAINCF_ROLE_GENERIC, r_unknown_helo)
RESTRICTION(REJECT_UNKNOWN_RECIPIENT_DOMAIN, "reject_unknown_recipient_domain", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_unknown_domain)
RESTRICTION(REJECT_UNKNOWN_REVERSE_CLIENT_HOSTNAME, "reject_unknown_reverse_client_hostname", RARG_NONE, RSTAGE_CLIENT, MAINCF_ROLE_GENERIC, r_unknown_reverse_client)
RESTRICTION(REJECT_UNKNOWN_SENDER_DOMAIN, "reject_unknown_sender_domain", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_unknown_domain)
RESTRICTION(REJECT_UNLISTED_RECIPIENT, "reject_unlisted_recipient", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_rcpt_maps)
RESTRICTION(REJECT_UNLISTED_SENDER, "reject_unlisted_sender", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_unlisted_sender)
RESTRICTION(REJECT_UNVERIFIED_RECIPIENT, "reject_unverified_recipient", RARG_NONE, RSTAGE_RCPT, MAINCF_ROLE_GENERIC, r_unverified_recipient)
RESTRICTION(REJECT_UNVERIFIED_SENDER, "reject_unverified_sender", RARG_NONE, RSTAGE_SENDER, MAINCF_ROLE_GENERIC, r_unverified_sender)
RESTRICTION(SLEEP, "sleep", RARG_NUMBER, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_sleep)
RESTRICTION(WARN_IF_REJECT, "warn_if_reject", RARG_NONE, RSTAGE_ANY, MAINCF_ROLE_GENERIC, r_warn_if_reject)
