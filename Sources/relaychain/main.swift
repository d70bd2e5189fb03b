import ArgumentParser

// Usage errors exit 2 (the convention of compilers and linters), not ArgumentParser's 64.
do {
    var command = try RelaychainCommand.parseAsRoot()
    try command.run()
} catch {
    let code = RelaychainCommand.exitCode(for: error)
    if code == .validationFailure {
        printError(RelaychainCommand.fullMessage(for: error))
        printError("Run 'relaychain help' for usage.")
        exitProcess(ExitStatus.usage)
    }
    RelaychainCommand.exit(withError: error)
}
