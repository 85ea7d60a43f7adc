#!/bin/sh
# Runs pytest scenarios with Debian's python3 (PyPI is not used).
# Usage: run_pytest.sh PYTHON TESTS_DIR [FILE...] [pytest args...]
# With no FILE it runs the whole folder.  pytest exits 5 when it collects
# no test: that is a failure here, since every scenario file must hold
# tests.
py=$1; dir=$2; shift 2
cd "$dir" || exit 2
[ "$#" -eq 0 ] && set -- .
"$py" -m pytest -q -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "run_pytest.sh: pytest collected no tests in $dir ($*)" >&2
fi
exit "$rc"
