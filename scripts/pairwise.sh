#!/bin/bash
# pairwise.sh: build or check a pairwise covering array of configurations,
# grouped into boots.
#
#   pairwise.sh generate KEYS          print a covering array
#   pairwise.sh check KEYS ARRAY       exit 0 when ARRAY is complete
#
# KEYS lists one key a line with its values ("cow copy cow odf"); "-" reads
# it from standard input (t_matrix --keys prints the matrix's keys).
#
# ARRAY contains one configuration a line, "BOOT key=value,key=value,...", with
# every key once; blank lines and lines starting with # are ignored.  BOOT
# numbers the boot the row runs in.  The first row of each boot is that
# boot's kernel command line, the others are applied at run time.  ARRAY is
# complete when (1) for any two keys and any value of each, some row has
# both, and (2) the first rows of the boots together contain every value of
# every key, so that the kernel parses each value from its command line.
#
# The generator is greedy and deterministic.  Each new row starts from the
# uncovered pair that yields the most new pairs; the other keys take, in key
# order, the value covering most uncovered pairs with the keys already set
# (ties: most uncovered pairs with the keys still unset, then the value
# listed first).  Boot heads are then chosen greedily by the number of
# values they add, and the other rows are dealt to the boots in turn.  The
# checker shares no code with the generator.
set -eu

usage() {
	echo "usage: pairwise.sh generate KEYS | pairwise.sh check KEYS ARRAY" >&2
	exit 2
}

# need_file NAME: a readable file, or - for standard input.
need_file() {
	[ "$1" = - ] || [ -r "$1" ] || {
		echo "pairwise.sh: cannot read '$1' (accepted: a readable file, or - for standard input)" >&2
		exit 2
	}
}

[ $# -ge 1 ] || usage
case $1 in
generate) [ $# -eq 2 ] || usage ;;
check) [ $# -eq 3 ] || usage; need_file "$3" ;;
*) echo "pairwise.sh: unknown command '$1' (accepted: generate, check)" >&2; exit 2 ;;
esac
need_file "$2"
if [ "$1" = check ] && [ "$2" = - ] && [ "$3" = - ]; then
	echo "pairwise.sh: KEYS and ARRAY cannot both be standard input" >&2
	exit 2
fi

# The key list is read here and handed to awk as a string, so that an empty
# or missing list cannot be confused with the array.
KEYS_TEXT=$(cat -- "$2") || exit 2

# Both awk programs start by parsing keys_text: nk keys, key[k], nv[k],
# val[k,v], and the indexes kidx[name], vidx[k,value].
AWK_KEYS='
BEGIN {
	nl = split(keys_text, kl, "\n")
	for (l = 1; l <= nl; l++) {
		nf = split(kl[l], f, " ")
		if (nf == 0 || f[1] ~ /^#/) continue
		if (nf < 3) {
			printf "pairwise.sh: key line \"%s\" has fewer than two values\n", kl[l] > "/dev/stderr"
			bad = 2
			exit 2
		}
		nk++; key[nk] = f[1]; kidx[f[1]] = nk; nv[nk] = nf - 1
		for (v = 2; v <= nf; v++) { val[nk, v - 1] = f[v]; vidx[nk, f[v]] = v - 1 }
	}
}
'

if [ "$1" = generate ]; then
	awk -v keys_text="$KEYS_TEXT" "$AWK_KEYS"'
	# The pair (k=v, j=w) as an index of covered[], lower key first.
	function pair(k, v, j, w) {
		return k < j ? k SUBSEP v SUBSEP j SUBSEP w : j SUBSEP w SUBSEP k SUBSEP v
	}
	# Uncovered pairs k=v makes with the keys already set in row[].
	function gain(k, v,    j, g) {
		g = 0
		for (j = 1; j <= nk; j++)
			if (j != k && (j in row) && !(pair(k, v, j, row[j]) in covered))
				g++
		return g
	}
	# Uncovered pairs k=v makes with any value of the keys still unset.
	function potential(k, v,    j, w, g) {
		g = 0
		for (j = 1; j <= nk; j++) {
			if (j == k || (j in row)) continue
			for (w = 1; w <= nv[j]; w++)
				if (!(pair(k, v, j, w) in covered))
					g++
		}
		return g
	}
	# Fills row[] from the seed pair (i=a, j=b); returns the new pairs it covers.
	function build(i, a, j, b,    k, v, best, bg, g, total, x, y) {
		delete row
		row[i] = a; row[j] = b
		for (k = 1; k <= nk; k++) {
			if (k in row) continue
			best = 1; bg = -1
			for (v = 1; v <= nv[k]; v++) {
				g = gain(k, v) * 1000 + potential(k, v)
				if (g > bg) { bg = g; best = v }
			}
			row[k] = best
		}
		total = 0
		for (x = 1; x < nk; x++)
			for (y = x + 1; y <= nk; y++)
				if (!(pair(x, row[x], y, row[y]) in covered)) total++
		return total
	}
	END {
		if (bad) exit bad
		if (nk < 2) { print "pairwise.sh: need at least two keys" > "/dev/stderr"; exit 2 }

		# The rows: out[r, k] is the value index of key k in row r.
		left = 0
		for (i = 1; i < nk; i++) for (j = i + 1; j <= nk; j++)
			left += nv[i] * nv[j]
		nr = 0
		while (left > 0) {
			bestn = -1
			for (i = 1; i < nk; i++) for (j = i + 1; j <= nk; j++)
				for (a = 1; a <= nv[i]; a++) for (b = 1; b <= nv[j]; b++) {
					if (pair(i, a, j, b) in covered) continue
					n = build(i, a, j, b)
					if (n > bestn) { bestn = n; for (k = 1; k <= nk; k++) pick[k] = row[k] }
				}
			nr++
			for (k = 1; k <= nk; k++) out[nr, k] = pick[k]
			for (x = 1; x < nk; x++) for (y = x + 1; y <= nk; y++)
				if (!(pair(x, pick[x], y, pick[y]) in covered)) {
					covered[pair(x, pick[x], y, pick[y])] = 1
					left--
				}
		}

		# Boot heads: the row adding most values not yet on a command line.
		nb = 0
		for (;;) {
			best = 0; bg = 0
			for (r = 1; r <= nr; r++) {
				if (r in head) continue
				g = 0
				for (k = 1; k <= nk; k++) if (!((k, out[r, k]) in booted)) g++
				if (g > bg) { bg = g; best = r }
			}
			if (best == 0) break
			head[best] = ++nb; order[nb] = best
			for (k = 1; k <= nk; k++) booted[k, out[best, k]] = 1
		}
		b = 0
		for (r = 1; r <= nr; r++) {
			if (r in head) continue
			boot[r] = b % nb + 1
			b++
		}
		for (b = 1; b <= nb; b++) {
			emit(b, order[b])
			for (r = 1; r <= nr; r++) if (!(r in head) && boot[r] == b) emit(b, r)
		}
	}
	function emit(b, r,    k, line) {
		line = b " "
		for (k = 1; k <= nk; k++)
			line = line (k > 1 ? "," : "") key[k] "=" val[k, out[r, k]]
		print line
	}' /dev/null
	exit 0
fi

awk -v keys_text="$KEYS_TEXT" "$AWK_KEYS"'
{
	sub(/\r$/, "")
	if ($0 ~ /^[ \t]*$/ || $0 ~ /^#/) next
	rows++
	if (NF != 2 || $1 !~ /^[1-9][0-9]*$/) {
		printf "pairwise.sh: line %d: \"%s\" is not BOOT key=value,...\n", FNR, $0
		bad = 1
		next
	}
	first = !($1 in boots)
	boots[$1] = 1
	delete seen
	n = split($2, w, ",")
	for (i = 1; i <= n; i++) {
		eq = index(w[i], "=")
		k = substr(w[i], 1, eq - 1); v = substr(w[i], eq + 1)
		if (eq == 0 || !(k in kidx)) { printf "pairwise.sh: line %d: unknown word \"%s\"\n", FNR, w[i]; bad = 1; continue }
		if (!((kidx[k], v) in vidx)) { printf "pairwise.sh: line %d: bad value \"%s\" for %s\n", FNR, v, k; bad = 1; continue }
		if (k in seen) { printf "pairwise.sh: line %d: key %s given twice\n", FNR, k; bad = 1; continue }
		seen[k] = v
		if (first) booted[k "=" v] = 1
	}
	for (k = 1; k <= nk; k++)
		if (!(key[k] in seen)) { printf "pairwise.sh: line %d: key %s missing\n", FNR, key[k]; bad = 1 }
	# Every pair of words in the row counts as covered.
	for (x in seen) for (y in seen)
		if (kidx[x] < kidx[y]) hit[x "=" seen[x] " " y "=" seen[y]] = 1
}
END {
	if (bad == 2) exit 2
	if (nk < 2) { print "pairwise.sh: fewer than two keys in the key list"; exit 1 }
	if (rows == 0) { print "pairwise.sh: the array has no rows"; exit 1 }
	pairs = 0; missing = 0
	for (i = 1; i < nk; i++) for (j = i + 1; j <= nk; j++)
		for (a = 1; a <= nv[i]; a++) for (b = 1; b <= nv[j]; b++) {
			pairs++
			p = key[i] "=" val[i, a] " " key[j] "=" val[j, b]
			if (!(p in hit)) { printf "pairwise.sh: pair not covered: %s\n", p; missing++ }
		}
	unbooted = 0
	for (k = 1; k <= nk; k++) for (v = 1; v <= nv[k]; v++)
		if (!((key[k] "=" val[k, v]) in booted)) {
			printf "pairwise.sh: %s=%s is on no boot command line (first row of a boot)\n", key[k], val[k, v]
			unbooted++
		}
	nb = 0
	for (b in boots) nb++
	if (bad || missing || unbooted) {
		printf "pairwise.sh: %d rows: %d of %d pairs missing, %d values on no command line%s\n",
		    rows, missing, pairs, unbooted, bad ? ", bad rows" : ""
		exit 1
	}
	printf "pairwise.sh: %d rows in %d boots cover all %d pairs of %d keys; boot command lines hold every value\n",
	    rows, nb, pairs, nk
}' "$3"
