/// A crontab for relay-ctrl-age, one line per window, with the same directory and window as
/// the check side.
struct CronTarget {
    let plan: ChainPlan
    let header: String

    func file(windows: [RelayWindow]) -> OutputFile {
        var text = "\(header)\n"
        text += "# Removes expired relay grants every minute (relay-ctrl-check also removes those it meets).\n"
        text += "# Install with crontab(1) as a user that may write the store, or into /etc/cron.d with a user field.\n"
        for window in windows {
            let words = [Word(plan.spec.platform.env.value), Word("-")]
                + [Word.assign("RELAY_CTRL_DIR", window.store.value), .assign("RELAY_CTRL_EXPIRY", String(window.length.value.seconds))]
                + [plan.path("relay-ctrl-age")]
            // cron turns an unescaped % into a newline.
            text += "* * * * * " + words.map(\.shell).joined(separator: " ").replacing("%", with: "\\%") + "\n"
        }
        return OutputFile(path: "cron/relay-ctrl-age", contents: text)
    }
}
