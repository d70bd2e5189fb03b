"""What both end-to-end runs share: expect(), and running their scenarios in order with a report."""

import os


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def run_scenarios(scenarios, world, start, stop):
    """Starts the world, runs each scenario on it (RELAYCHAIN_E2E_ONLY=words: only those whose name
    holds the words), prints one ok or FAIL line each (the world's logs after a failure), and stops
    the world, also on failure. Returns the exit status."""
    passed = failed = 0
    try:
        try:
            start()
        except Exception as error:
            print("FAIL setup: %s" % error)
            print(world.logs())
            print("0 passed, %d failed" % len(scenarios))
            return 1
        only = os.environ.get("RELAYCHAIN_E2E_ONLY")
        for number, (name, scenario) in enumerate(scenarios, 1):
            if only and only not in name:
                continue
            try:
                detail = scenario(world)
                passed += 1
                print("ok %d %s: %s" % (number, name, detail), flush=True)
            except Exception as error:
                failed += 1
                print("FAIL %d %s: %s" % (number, name, error), flush=True)
                print(world.logs(), flush=True)
    finally:
        stop()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
