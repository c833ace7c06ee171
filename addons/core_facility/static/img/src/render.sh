#!/bin/sh
# Render the demo illustrations (drawn for this project) to the PNGs the demo data loads.
# Needs rsvg-convert and pngquant (Debian: librsvg2-bin, pngquant). Run from this folder.
set -eu
for svg in *.svg; do
    name=${svg%.svg}
    if [ "$name" = company_logo ]; then
        rsvg-convert -w 780 -h 224 "$svg" -o "../$name.png"
    else
        rsvg-convert -w 512 -h 512 "$svg" -o "../instrument_$name.png"
    fi
done
pngquant --force --skip-if-larger --strip --quality 70-95 --ext .png ../*.png
