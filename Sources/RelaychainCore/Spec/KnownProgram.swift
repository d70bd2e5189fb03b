/// The programs a spec may name without defining them: a closed set, so that the analysis, the
/// simulation, the emitters and import say which one they mean by a case, never by a string.
/// The raw value is the name chains, `paths` and installations use. The order is the catalog's
/// (and the schema's): wrappers, then the servers and tools relaychain writes itself.
public enum KnownProgram: String, CaseIterable, Sendable {
    case rblsmtpd, greetdelay, qgreylist, jgreylist, fixsmtpio, fixcrio, recordio, softlimit
    case setuidgid, envuidgid, envdir, argv0, pgrphack
    case tcpserver, sslserver, tcprules, multilog, doveconf, svlogd, chpst, spiped, checknotroot
    case svc, svok, svstat, sv
    case qmailSMTPD = "qmail-smtpd"
    case qmailPopup = "qmail-popup"
    case qmailPop3d = "qmail-pop3d"
    case checkpassword, nbcheckpassword
    case relayCtrlAllow = "relay-ctrl-allow"
    case relayCtrlCheck = "relay-ctrl-check"
    case relayCtrlChdir = "relay-ctrl-chdir"
    case relayCtrlAge = "relay-ctrl-age"
    case ifrelayclient
    case dovecotSettcpremoteip = "dovecot-settcpremoteip"
}
