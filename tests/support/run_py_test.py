"""Runs one integration test file with unittest and maps the outcome to ctest:
0 all passed, 1 a failure or error, 77 anything skipped (ctest reports it as a
skip and scripts/test fails the run on it: a skip is never a pass)."""
import importlib.util
import os
import sys
import unittest


def main():
    path = sys.argv[1]
    spec = importlib.util.spec_from_file_location(
        os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"{passed} passed, {failed} failed, {len(result.skipped)} skipped")
    if failed:
        return 1
    if result.skipped or result.testsRun == 0:
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
