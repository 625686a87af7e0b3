#!/usr/bin/env python3
"""Run one `arena` command on every backend and FileCheck each output against the same expectations.

Usage (through the lit substitution %each-backend):
    %each-backend %arena run %t.o --json -- %s [FileCheck options]
The command before `--` gets `--backend kernel`, or `--backend user --engine E`, appended; the words after
`--` are FileCheck's arguments (the check file first). Fails, naming the backend, when any run fails or any
output does not match: one expected output for every backend.
"""
import argparse
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", required=True)
    ap.add_argument("--filecheck", required=True)
    ap.add_argument("--expect-fail", action="store_true",
                    help="the command must exit non-zero on every backend (its stderr is checked too)")
    ap.add_argument("rest", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    if "--" not in rest:
        sys.exit("each_backend: expected COMMAND... -- CHECKFILE [FileCheck options]")
    cut = rest.index("--")
    command, check_args = rest[:cut], rest[cut + 1:]
    # The lit substitution ends with "--", so the option arrives as the command's first word.
    if command[:1] == ["--expect-fail"]:
        args.expect_fail = True
        command = command[1:]
    backends = [b for b in args.backends.split(",") if b and b != "none"]
    if not backends:
        sys.exit("each_backend: no backend is available on this machine")
    failed = 0
    for backend in backends:
        name, _, engine = backend.partition(":")
        argv = command + ["--backend", name] + (["--engine", engine] if engine else [])
        run = subprocess.run(argv, capture_output=True, text=True)
        output = run.stdout + (run.stderr if args.expect_fail else "")
        bad_exit = (run.returncode == 0) if args.expect_fail else (run.returncode != 0)
        if bad_exit:
            sys.stderr.write("each_backend: [%s] %s exited %d\n%s%s" % (
                backend, " ".join(argv), run.returncode, run.stdout, run.stderr))
            failed += 1
            continue
        check = subprocess.run([args.filecheck] + check_args, input=output, text=True,
                               capture_output=True)
        if check.returncode != 0:
            sys.stderr.write("each_backend: [%s] output does not match:\n%s%s\n--- output ---\n%s" % (
                backend, check.stdout, check.stderr, output))
            failed += 1
        else:
            print("each_backend: [%s] ok" % backend)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
