#!/usr/bin/env bash
# Checks the manual pages in MANDIR (default doc/man):
#   - every page renders without warnings: groff -man -ww if groff is
#     installed, else mandoc -T lint, else rendering is skipped (with a
#     message); .so pages are rendered too, which checks their target;
#   - every full page has the sections it must have (man3: NAME, SYNOPSIS,
#     DESCRIPTION, RETURN VALUE, ERRORS, NOTES, SEE ALSO; man7: NAME,
#     SYNOPSIS, DESCRIPTION, NOTES, SEE ALSO), a NAME line that whatis can
#     parse (lexgrog, when man-db is installed), and no reference to a
#     zmq*(3)/zmq*(7) page that does not exist;
#   - every function the library exports has a man3 page whose NAME
#     section lists it.  The list comes from
#     `nm -D --defined-only $LIB` (LIB defaults to build/lib/libzmq.so.1);
#     without the library (or nm) it is read from the ZMQ_EXPORT
#     declarations in include/zmq.h and include/zmq_utils.h.
# Prints one line per failure and ends with "man: N passed, M failed"
# (one test per page and one per exported function).  Exits 1 on failure.
#   scripts/man-test.sh [MANDIR]
# Needs nothing beyond bash, grep, sed and awk; groff (Debian groff-base)
# or mandoc for the rendering check, nm (binutils) for the symbol list,
# lexgrog (man-db) for the whatis check.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MANDIR="${1:-$ROOT/doc/man}"
LIB="${LIB:-$ROOT/build/lib/libzmq.so.1}"

if [[ ! -d "$MANDIR/man3" || ! -d "$MANDIR/man7" ]]; then
    echo "man-test: $MANDIR has no man3/ and man7/"
    echo "man: 0 passed, 1 failed"
    exit 1
fi
MANDIR="$(cd "$MANDIR" && pwd)"
cd "$MANDIR" || exit 1   # .so requests are relative to the manual's root

passed=0
failed=0
fail() { echo "FAIL $*"; }

# ---- how to render ---------------------------------------------------------
if command -v groff > /dev/null; then
    renderer=groff
    render() { groff -man -Tutf8 -ww -z "$1" 2>&1; }
elif command -v mandoc > /dev/null; then
    renderer=mandoc
    # mandoc calls every .so "fragile"; alias pages are .so by design.
    render() { mandoc -T lint -W warning "$1" 2>&1 | grep -v 'WARNING: \.so is fragile'; }
else
    renderer=none
    render() { :; }
    echo "man-test: neither groff nor mandoc is installed; rendering not checked" \
         "(apt-get install groff-base)"
fi
have_lexgrog=0
command -v lexgrog > /dev/null && have_lexgrog=1

# The page a .so request points to (the file itself when it has none).
resolve() {
    local f=$1 target
    target=$(sed -n '1s/^\.so[[:space:]]\{1,\}//p' "$f")
    if [[ -n "$target" ]]; then echo "$target"; else echo "$f"; fi
}

# The names listed in a page's NAME section (the text before "\-").
names_of() {
    awk '/^\.SH[[:space:]]+"?NAME"?[[:space:]]*$/ {on = 1; next}
         /^\.SH/ {on = 0}
         on && !/^\./ {sub(/[[:space:]]*\\-.*/, ""); print}' "$1" |
        tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^$'
}

# ---- one test per page -------------------------------------------------------
shopt -s nullglob
pages=(man3/*.3 man7/*.7)
if (( ${#pages[@]} == 0 )); then
    echo "man-test: no pages in $MANDIR"
fi
for page in "${pages[@]}"; do
    problems=()
    target=$(resolve "$page")
    if [[ "$target" != "$page" ]]; then
        # An alias page: one .so line pointing to an existing full page.
        if [[ $(grep -c '' "$page") -ne 1 ]]; then
            problems+=("a .so page must have exactly one line")
        fi
        if [[ ! -f "$target" ]]; then
            problems+=(".so target $target does not exist")
        elif [[ -n "$(sed -n '1s/^\.so[[:space:]]\{1,\}//p' "$target")" ]]; then
            problems+=(".so target $target is itself a .so page")
        else
            name=$(basename "$page"); name=${name%.*}
            names_of "$target" | grep -qx "$name" ||
                problems+=("NAME section of $target does not list $name")
        fi
    else
        section=${page:3:1}
        if [[ "$section" == 3 ]]; then
            required=("NAME" "SYNOPSIS" "DESCRIPTION" "RETURN VALUE" "ERRORS" "NOTES" "SEE ALSO")
        else
            required=("NAME" "SYNOPSIS" "DESCRIPTION" "NOTES" "SEE ALSO")
        fi
        for sh in "${required[@]}"; do
            grep -Eq "^\.SH[[:space:]]+\"?$sh\"?[[:space:]]*$" "$page" ||
                problems+=("no $sh section")
        done
        th=$(sed -n '1p' "$page")
        name=$(basename "$page"); name=${name%.*}
        upper=$(echo "$name" | tr '[:lower:]' '[:upper:]')
        [[ "$th" == ".TH $upper $section "* ]] ||
            problems+=("first line is not \".TH $upper $section ...\"")
        names_of "$page" | grep -q . || problems+=("empty NAME section")
        # References to other 0MQ pages must resolve.
        while read -r ref sec; do
            [[ -f "man$sec/$ref.$sec" ]] || problems+=("refers to missing page $ref($sec)")
        done < <(grep -Eo '^\.[BI]R[[:space:]]+zmq[a-z_]*[[:space:]]+\([0-9]\)' "$page" |
                 sed -E 's/^\.[BI]R[[:space:]]+([a-z_]+)[[:space:]]+\(([0-9])\)/\1 \2/' | sort -u)
    fi
    if [[ $renderer != none ]]; then
        out=$(render "$page")
        if [[ -n "$out" ]]; then
            problems+=("$renderer reports: $(echo "$out" | head -n 3 | tr '\n' ' ')")
        fi
    fi
    if (( have_lexgrog )); then
        lexgrog "$page" > /dev/null 2>&1 || problems+=("lexgrog cannot parse the NAME section")
    fi
    if (( ${#problems[@]} == 0 )); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        for p in "${problems[@]}"; do fail "$page: $p"; done
    fi
done

# ---- one test per exported function ------------------------------------------
symbols=()
if [[ -f "$LIB" ]] && command -v nm > /dev/null; then
    mapfile -t symbols < <(nm -D --defined-only "$LIB" | awk '/ T zmq_/ {print $3}' | sort -u)
    source_of_symbols="$LIB"
else
    mapfile -t symbols < <(cat "$ROOT/include/zmq.h" "$ROOT/include/zmq_utils.h" 2> /dev/null |
        grep -Eo '^ZMQ_EXPORT[^(]*[ *]zmq_[a-z_]+[[:space:]]*\(' |
        grep -Eo 'zmq_[a-z_]+' | sort -u)
    source_of_symbols="include/zmq.h and include/zmq_utils.h ($LIB or nm missing)"
fi
if (( ${#symbols[@]} == 0 )); then
    fail "no exported functions found in $source_of_symbols"
    failed=$((failed + 1))
fi
for sym in "${symbols[@]}"; do
    page="man3/$sym.3"
    if [[ ! -f "$page" ]]; then
        fail "$sym: no page $page"
        failed=$((failed + 1))
        continue
    fi
    target=$(resolve "$page")
    if [[ -f "$target" ]] && names_of "$target" | grep -qx "$sym"; then
        passed=$((passed + 1))
    else
        fail "$sym: the NAME section of $target does not list it"
        failed=$((failed + 1))
    fi
done

echo "man-test: ${#pages[@]} pages in $MANDIR (rendering: $renderer)," \
     "${#symbols[@]} functions from $source_of_symbols"
echo "man: $passed passed, $failed failed"
(( failed == 0 ))
