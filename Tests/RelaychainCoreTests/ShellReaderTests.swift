import Foundation
import TestSupport
import Testing

@testable import RelaychainImport

/// The sh reader import uses on run scripts: parsing, and symbolic evaluation down to the
/// command a script execs, with values known only at run time named by their source.
struct ShellReaderTests {
    static func run(_ text: String, files: [String: String] = [:]) throws -> ShellRun {
        let script = try ShellParser.parse(text).get()
        var evaluator = ShellEvaluator()
        evaluator.files = files
        return evaluator.run(script, from: ShellEvaluator.State(positional: [ShellText("run")]))
    }

    static func words(_ run: ShellRun) -> [String] { run.command?.words.map(\.description) ?? [] }

    @Test func lifeWithQmailStyleScript() throws {
        let result = try Self.run(
            """
            #!/bin/sh
            QMAILDUID=`id -u qmaild`
            NOFILESGID=`id -g qmaild`
            MAXSMTPD=`cat /var/qmail/control/concurrencyincoming`
            LOCAL=`head -1 /var/qmail/control/me`
            if [ -z "$QMAILDUID" -o -z "$NOFILESGID" -o -z "$MAXSMTPD" -o -z "$LOCAL" ]; then
                echo QMAILDUID, NOFILESGID, MAXSMTPD, or LOCAL is unset
                exit 1
            fi
            if [ ! -f /var/qmail/control/rcpthosts ]; then
                echo "No rcpthosts: refusing to start an open relay"
                exit 1
            fi
            exec /usr/local/bin/softlimit -m 2000000 \\
                /usr/local/bin/tcpserver -v -R -l "$LOCAL" -x /etc/tcp.smtp.cdb -c "$MAXSMTPD" \\
                -u "$QMAILDUID" -g "$NOFILESGID" 0 smtp /var/qmail/bin/qmail-smtpd 2>&1

            """)
        #expect(result.problems == [])
        #expect(result.command?.line == 14)
        #expect(result.errorsToOutput)
        #expect(
            Self.words(result) == [
                "/usr/local/bin/softlimit", "-m", "2000000", "/usr/local/bin/tcpserver", "-v", "-R", "-l",
                "<the first line of /var/qmail/control/me>", "-x", "/etc/tcp.smtp.cdb", "-c",
                "<the contents of /var/qmail/control/concurrencyincoming>", "-u",
                "<the user ID of qmaild (id -u qmaild)>", "-g", "<the group ID of qmaild (id -g qmaild)>", "0",
                "smtp", "/var/qmail/bin/qmail-smtpd",
            ])
    }

    @Test func variablesExportsAndExpansionOperators() throws {
        let result = try Self.run(
            """
            QMAILDIR=/var/qmail
            SMTPD="$QMAILDIR/bin/qmail-smtpd"
            CONCURRENCY=40
            export SPAMDYKE="/usr/local/bin/spamdyke -f /etc/spamdyke.conf"
            export CHKUSER_START=ALWAYS
            DATABYTES=${DATABYTES:-20000000}
            unset NOTHING
            exec 2>&1
            exec tcpserver ${CONCURRENCY:+-c$CONCURRENCY} ${NOTHING:+-x} ${NOTHING-none} 0 25 \\
              $SPAMDYKE $SMTPD ${SMTPD##*/}
            """)
        #expect(result.problems == [])
        #expect(result.errorsToOutput)
        #expect(
            Self.words(result) == [
                "tcpserver", "-c40", "none", "0", "25", "/usr/local/bin/spamdyke", "-f", "/etc/spamdyke.conf",
                "/var/qmail/bin/qmail-smtpd", "qmail-smtpd",
            ])
        #expect(
            result.exported.map { "\($0.name)=\($0.value)" } == [
                "SPAMDYKE=/usr/local/bin/spamdyke -f /etc/spamdyke.conf", "CHKUSER_START=ALWAYS",
            ])
        // DATABYTES may come from the environment: its value is known only at run time.
        let unknown = try Self.run("D=${DATABYTES:-20000000}\nexec softlimit -m \"$D\" prog\n")
        #expect(Self.words(unknown)[2].hasPrefix("<${DATABYTES:-20000000} with $DATABYTES from the environment"))
    }

    @Test func aTestMadeAtRunTimeMakesABranchValue() throws {
        let result = try Self.run(
            """
            if [ -f /var/qmail/control/smtpauth ]; then
              export SMTPAUTH="!"
              PORT=587
            else
              PORT=25
            fi
            exec tcpserver 0 $PORT qmail-smtpd
            """)
        #expect(
            Self.words(result) == [
                "tcpserver", "0", "<$PORT, which a test at line 1 chooses at run time>", "qmail-smtpd",
            ])
        #expect(result.exported.map(\.name) == ["SMTPAUTH"])
        // A test the script decides takes its branch only.
        let decided = try Self.run("X=yes\nif [ \"$X\" = yes ]; then P=1; else P=2; fi\nexec a $P\n")
        #expect(Self.words(decided) == ["a", "1"])
        let undecided = try Self.run("if [ -f /x ]; then exec a; else exec b; fi\n")
        #expect(undecided.command == nil)
        #expect(undecided.problems == [.init(line: 1, reason: "which command runs depends on a test made at run time")])
    }

    @Test func shDashCAndSourcedFilesAndFunctions() throws {
        let sourced = try Self.run(
            ". /etc/qmail.conf\nexec tcpserver -c \"$MAX\" 0 25 x\n", files: ["/etc/qmail.conf": "MAX=15\n"])
        #expect(Self.words(sourced) == ["tcpserver", "-c", "15", "0", "25", "x"])
        let missing = try Self.run(". ./conf\nexec x\n")
        #expect(missing.problems == [.init(line: 1, reason: "reads ./conf with '.', and that file was not given")])
        let function = try Self.run("start() { exec tcpserver \"$@\"; }\nstart 0 25 qmail-smtpd\n")
        #expect(Self.words(function) == ["tcpserver", "0", "25", "qmail-smtpd"])
        let last = try Self.run("tcpserver 0 25 qmail-smtpd 2>&1\n")
        #expect(last.command?.byExec == false)
        #expect(last.errorsToOutput)
    }

    /// What a script does before its command that no build does is said, at its line; eval of
    /// known text is read as sh, of run-time text stops the reading.
    @Test func sideEffectsBeforeTheCommandAreSaid() throws {
        let side = try Self.run(
            "ulimit -v 200000\numask 077\nmkdir -p /var/run/smtpd\nsleep 1\nlogger started\nexec tcpserver 0 25 x\n")
        #expect(
            side.problems == [
                .init(
                    line: 1,
                    reason:
                        "sets a resource limit with ulimit, which the spec cannot say (its datalimit is softlimit -m)"),
                .init(
                    line: 2,
                    reason: "sets the file mode mask with umask, which the spec cannot say"),
                .init(line: 3, reason: "runs 'mkdir -p /var/run/smtpd' before its command, which builds do not"),
            ])
        #expect(Self.words(side) == ["tcpserver", "0", "25", "x"])
        let known = try Self.run("eval 'MAX=15; export MAX'\nexec tcpserver -c \"$MAX\" 0 25 x\n")
        #expect(known.problems.isEmpty)
        #expect(Self.words(known) == ["tcpserver", "-c", "15", "0", "25", "x"])
        let unknown = try Self.run("eval `envdir ./env awk 'BEGIN { print }'`\nexec tcpserver 0 25 x\n")
        #expect(unknown.command == nil)
        #expect(
            unknown.problems == [
                .init(line: 1, reason: "runs eval on text known only at run time; what it sets cannot be read")
            ])
        let read = try Self.run("read LOCAL < /var/qmail/control/me\nexec tcpserver -l \"$LOCAL\" 0 25 x\n")
        #expect(Self.words(read) == ["tcpserver", "-l", "<$LOCAL, read at run time>", "0", "25", "x"])
    }

    /// Scripts that would take time or memory without end are read up to a bound, which is said.
    @Test func hostileScriptsAreReadWithinBounds() throws {
        let calls = try Self.run("f() { f; f; f; f; f; f; }\nf\nexec a\n")
        #expect(calls.command == nil)
        #expect(
            calls.problems == [
                .init(line: 1, reason: "calls functions nested too deeply"),
                .init(line: 1, reason: "runs more than 20000 commands before its last one"),
            ])
        let doubling = "a=x\n" + String(repeating: "a=$a$a\n", count: 13) + "exec b \"$a\"\n"
        let grown = try Self.run(doubling)
        #expect(grown.problems == [.init(line: 14, reason: "makes a value longer than 4096 characters")])
        #expect(Self.words(grown) == ["b", "<a value longer than 4096 characters>"])
        let sourcing = try Self.run(". /conf\nexec c\n", files: ["/conf": ". /conf\n. /conf\n. /conf\n"])
        #expect(sourcing.command == nil)
        #expect(sourcing.problems.map(\.reason).contains("runs more than 20000 commands before its last one"))
        // A pattern with many stars against a long text is matched in time that grows as a product.
        let stars = String(repeating: "*a", count: 30) + "b"
        let long = String(repeating: "a", count: 2000)
        #expect(ShellPattern.matches(long, stars) == false)
        #expect(ShellPattern.matches(long + "b", stars))
    }

    @Test func syntaxErrorsHaveTheirLine() {
        let cases: [(String, ShellSyntaxError)] = [
            ("exec a 'b\n", .init(line: 1, message: "a ' that is never closed")),
            ("if true; then\n  exec a\n", .init(line: 3, message: "'fi' expected (for the line 1)")),
            ("X=$(id -u\nexec a\n", .init(line: 1, message: "a $( that is never closed")),
            ("exec a ${X!y}\n", .init(line: 1, message: "a ${X expansion the shell does not know")),
            ("a ;; b\n", .init(line: 1, message: "';;' where a command should be")),
        ]
        for (text, expected) in cases {
            guard case .failure(let error) = ShellParser.parse(text) else {
                Issue.record("parsed: \(text)")
                continue
            }
            #expect(error == expected, "\(text)")
        }
        // Nesting is bounded.
        let deep = String(repeating: "$(", count: 40) + String(repeating: ")", count: 40)
        guard case .failure(let error) = ShellParser.parse("exec \(deep)\n") else {
            Issue.record("deep nesting parsed")
            return
        }
        #expect(error.message == "command substitutions nested too deeply")
    }

    /// For scripts whose every value is known, the words the reader finds are the words the
    /// real /bin/sh passes: each script runs with a recording `exec`-ed program.
    @Test(arguments: [
        "A='a b'; B=\"x $A\"; exec PROBE $A \"$A\" $B \"${B}c\" ''",
        "unset Z; X=1; Y=${X:+set}${Z:-def}${Z+no}; exec PROBE \"$Y\" ${#Y}",
        "F=/var/qmail/bin/qmail-smtpd; exec PROBE ${F%/*} ${F##*/} ${F#/} ${F%%/bin*}",
        "case x-y in x-*) V=one;; *) V=two;; esac; exec PROBE $V",
        "for s in a b; do :; done > /dev/null; case ab] in [!a]]) A=1;; *) A=0;; esac;"
            + " case b1 in [a-c][0-9]) B=1;; esac; C=0; case '*x' in \\\\**) C=1;; esac;"
            + " F=0; case '*x' in \\**) F=1;; esac; case zaax in *a*x) D=1;; esac;"
            + " case ab in *a*x) E=1;; *) E=0;; esac;"
            + " V=aXbXc; exec PROBE $A $B $C $D $E $F ${V%X*} ${V%%X*} ${V#*X} ${V##*[X]}",
        "set_it() { R=\"$1-$2\"; }; set_it a b; exec PROBE \"$R\" \\$HOME 'it''s' \"q\\\"\\\\\"",
        "exec PROBE `echo a` $(echo b c) \"$(echo d)\"",
        "exec PROBE a$ \"b $ c\" $ \"$\"",
        "E=''; exec PROBE \"$E\" $E \"${E:-x}\" ${E-y}",
    ])
    func agreesWithTheRealShell(_ script: String) throws {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-shprobe-\(UUID().uuidString)")
        // Installed by another process: one spawned meanwhile by a parallel test must not hold it
        // open for writing, or exec fails (ETXTBSY) and the real shell prints nothing.
        try installExecutable("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"[$a]\"; done\n", at: probe.path)
        defer { try? FileManager.default.removeItem(at: probe) }
        let text = script.replacing("PROBE", with: probe.path)
        let real = try runProcess("/bin/sh", ["-c", text], environment: ["PATH": "/usr/bin:/bin"])
        let result = try Self.run(text + "\n")
        #expect(result.problems == [])
        let ours = Self.words(result).dropFirst().map { "[\($0)]\n" }.joined()
        #expect(ours == real.output, "\(script): \(real.errors)")
    }
}
