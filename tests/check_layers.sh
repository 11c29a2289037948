#!/bin/sh
# check_layers.sh: the source tree's layering rule (README, "Layout").
# Layers from the bottom: base model engine io analysis present cli. A file in
# sim/<layer>/ or include/<layer>/ may include a header of its own layer or a
# lower one, named with its layer ("engine/evq.h"); modules (a .c and its .h)
# must not include each other in a circle. Prints each offence and exits 1.
cd "$(dirname "$0")/.." || exit 2
layers="base model engine io analysis present cli"
rank() { i=0; for l in $layers; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
bad=0
edges=$(mktemp) || exit 2
trap 'rm -f "$edges"' EXIT
for f in sim/*/*.c include/*/*.h; do
    [ -f "$f" ] || continue
    own=$(echo "$f" | cut -d/ -f2)
    mod="$own/$(basename "$f" | sed 's/\.[ch]$//')"
    own_rank=$(rank "$own")
    if [ "$own_rank" -lt 0 ]; then echo "$f: folder '$own' is not a layer ($layers)"; bad=1; continue; fi
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        layer=$(dirname "$inc")
        r=$(rank "$layer")
        if [ "$layer" = "." ] || [ "$r" -lt 0 ]; then
            echo "$f: #include \"$inc\" does not name its layer"; bad=1
        elif [ "$r" -gt "$own_rank" ]; then
            echo "$f: #include \"$inc\" reaches up from $own to $layer"; bad=1
        fi
        dep="$layer/$(basename "$inc" .h)"
        [ "$dep" != "$mod" ] && echo "$dep $mod" >> "$edges"
    done
done
if ! tsort "$edges" > /dev/null 2> "$edges.err"; then
    echo "include cycle among modules:"; grep -v '^tsort: -\?:\? *input contains a loop' "$edges.err" | sed 's/^tsort: /  /'
    bad=1
fi
rm -f "$edges.err"
[ $bad -eq 0 ] && echo "layers: ok ($(ls sim/*/*.c include/*/*.h | wc -l) files)"
exit $bad
