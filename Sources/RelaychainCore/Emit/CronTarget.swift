/// A crontab for relay-ctrl-age, one line per window, with the same directory and window as
/// the check side. It runs as root: the store's parent lets no one else in (StoreParent.swift),
/// and relay-ctrl-age only removes entries through the store's descriptor, never following a
/// link. Where the platform has a cron.d the line carries that user field and setup installs it.
struct CronTarget {
    let plan: ChainPlan
    let header: String

    func file(windows: [RelayWindow]) -> OutputFile {
        var text = "\(header)\n"
        text += "# Removes expired relay grants every minute (relay-ctrl-check also removes those it meets).\n"
        let user = "root"
        let cronD = plan.spec.platform.cronD
        if let cronD {
            text += "# For \(cronD) (setup installs it), run as root: only root may enter the store's parent.\n"
        } else {
            text += "# Install with crontab(1) as root (only root may enter the store's parent), or into\n"
            text += "# /etc/cron.d with a user field.\n"
        }
        for window in windows {
            let words =
                [Word(plan.spec.platform.env.value), Word("-")]
                + [
                    Word.assign("RELAY_CTRL_DIR", window.store.value),
                    .assign("RELAY_CTRL_EXPIRY", String(window.length.value.seconds)),
                ]
                + [plan.path(.relayCtrlAge)]
            // cron turns an unescaped % into a newline.
            text +=
                "* * * * * " + (cronD == nil ? "" : "\(user) ")
                + words.map(\.shell).joined(separator: " ").replacing("%", with: "\\%") + "\n"
        }
        return OutputFile(.cronLine, contents: text)
    }
}
