#!/usr/bin/env bash
# Builds permc's Wasm runtime from the C sources in c/ (there, not here, because a
# Go package directory may not hold C files without cgo):
#
#   rt.wasm       the release runtime, which permc embeds and links programs into
#   rt_test.wasm  the same sources built with -DPERMC_TEST: the test engine and the
#                 test entry points of test.c, for the Go tests
#
# Usage: build.sh [OUT_DIR]   (default: this directory)
#
# Needs clang and wasm-ld (Debian: apt-get install clang lld). The output depends
# only on the sources and the compiler: no paths, no timestamps. The committed
# modules are built by Debian's clang 14; another version builds a working runtime
# but other bytes, so build.sh says so.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here}" && pwd)
cd "$here/c"

CLANG=${CLANG:-clang}
if ! "$CLANG" --version | head -1 | grep -q 'clang version 14\.'; then
	echo "build.sh: $("$CLANG" --version | head -1): the committed modules are built by clang 14" >&2
fi

# The runtime's sources, in link order. test.c is only in the test build.
SRCS=(rt.c mem.c link.c text.c num.c json.c time.c ip.c cel.c decision.c abi.c)
# The engine, which answers requests from the linked program: only in the release
# build (the test build has test.c's engine instead, and etest.c's entry points
# into the engine's parts).
ENGINE=(value.c regex.c eval.c decode.c decide.c roles.c engine.c cond.c plan.c)
# The test build's own sources: its engine and entry points, and the parts of the
# engine they test.
TEST_SRCS=(test.c etest.c test_plan.c value.c regex.c cond.c)

# The module's exports. Everything else is internal and may be inlined or dropped.
EXPORTS=(
	__heap_base # where the Go linker puts the program (link.h)
	_initialize
	permc_abi_version
	permc_alloc
	permc_free
	permc_check
	permc_check_batch
	permc_load_roles
	permc_metadata
	permc_plan
	permc_configure
)

# The test build's extra exports (test.c).
TEST_EXPORTS=(
	t_json t_json_str t_error_json t_quote t_quote_rune t_isprint t_suggest t_did_you_mean
	t_utf8 t_parse_int t_parse_uint t_parse_double t_format_double t_format_int t_format_uint
	t_base64_decode t_base64_encode t_cel t_cel_msg t_parse_timestamp t_format_timestamp t_parse_duration
	t_format_duration t_ip t_decision t_heap t_heap_stress t_json_parse_only t_program t_regexp
	t_cond
)

# -Oz: the module's size is its compile time in every engine, and size wins over
# speed except where a benchmark says otherwise (json.c, see README.md).
# -mbulk-memory: memcpy and memset are memory.copy and memory.fill.
# -msign-ext -mnontrapping-fptoint: Wasm 2.0 instructions every current engine
# has; a float-to-int conversion saturates instead of trapping.
# -target-abi experimental-mv: structs (str, a value's parts) are passed to and
# returned from internal functions as their fields, Wasm 2.0's multiple values,
# instead of through copies in the stack's memory: 4% less code, and calls that
# touch no memory. The exports take and return scalars, which no ABI changes.
CFLAGS=(
	--target=wasm32 -std=c11 -ffreestanding -nostdlib
	-mbulk-memory -msign-ext -mnontrapping-fptoint -mmultivalue
	-Xclang -target-abi -Xclang experimental-mv
	-Wall -Wextra -Werror -Wno-unused-parameter
	-g0 -ffile-prefix-map="$here/c"=. -fno-ident
)
# Per-file optimization: the parser is on every request's path, and at -O2 it
# takes a third less time than at -Oz for 1.4 KB more (-O3: no faster, 1.1 KB
# more); everything else is -Oz, through link-time optimization, which inlines and
# drops across files (3% smaller).
opt() {
	case "$1" in
	json.c) echo -O2 ;;
	*) echo -Oz -flto ;;
	esac
}

# --stack-first: the stack is at the bottom of memory, so an overflow traps
# instead of running into data. 64 KiB: the deepest path is the JSON parser's
# recursion (64 levels) and the multiprecision decimals of num.c (3 x 820 bytes).
# --compress-relocations: the linker writes the indexes and addresses it resolves in
# the code in as few bytes as they need, not in the 5 bytes of an object file's
# placeholders (8% of the module).
LDFLAGS=(
	-Wl,--no-entry -Wl,--stack-first -Wl,-z,stack-size=65536
	-Wl,--gc-sections -Wl,--compress-relocations
)
# NAMES=1 keeps the function names (a name section) for measuring: sizes/ reads
# them. The committed modules have none.
if [ "${NAMES:-}" = 1 ]; then
	LDFLAGS+=(-Wl,--strip-debug)
else
	LDFLAGS+=(-Wl,--strip-all)
fi

build() { # name, extra cflags, sources..., then exports after --
	local name=$1 extra=$2
	shift 2
	local srcs=() exports=()
	while [ "$1" != -- ]; do srcs+=("$1"); shift; done
	shift
	for e in "$@"; do exports+=("-Wl,--export=$e"); done
	local tmp
	tmp=$(mktemp -d)
	local objs=()
	for s in "${srcs[@]}"; do
		"$CLANG" "${CFLAGS[@]}" $(opt "$s") $extra -c "$s" -o "$tmp/${s%.c}.o"
		objs+=("$tmp/${s%.c}.o")
	done
	"$CLANG" --target=wasm32 -nostdlib "${LDFLAGS[@]}" "${exports[@]}" -o "$tmp/$name" "${objs[@]}"
	mv "$tmp/$name" "$out/$name"
	rm -rf "$tmp"
}

build rt.wasm "" "${SRCS[@]}" "${ENGINE[@]}" -- "${EXPORTS[@]}"
build rt_test.wasm -DPERMC_TEST "${SRCS[@]}" "${TEST_SRCS[@]}" -- "${EXPORTS[@]}" "${TEST_EXPORTS[@]}"
