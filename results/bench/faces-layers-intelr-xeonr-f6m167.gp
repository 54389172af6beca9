# Render: gnuplot results/bench/faces-layers-intelr-xeonr-f6m167.gp  (writes results/bench/faces-layers-intelr-xeonr-f6m167.png; -e "outfile='x.png'" to change)
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
  set terminal pngcairo size 1000,560 noenhanced font 'sans,11'
} else {
  set terminal png size 1000,560 noenhanced
}
if (!exists('outfile')) outfile = 'results/bench/faces-layers-intelr-xeonr-f6m167.png'
set output outfile
set datafile missing 'NaN'
set grid
set key outside right top box opaque
set title 'Where one faces training iteration''s time goes'
set ylabel 'ms per iteration'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set grid noxtics
set xtics rotate by -20
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 5 lc rgb '#9467bd'
set linetype 6 lc rgb '#8c564b'
set linetype 7 lc rgb '#e377c2'
set linetype 8 lc rgb '#7f7f7f'
set linetype 9 lc rgb '#bcbd22'
set linetype 10 lc rgb '#17becf'
set linetype 11 lc rgb '#393b79'
set linetype 12 lc rgb '#e7ba52'
set linetype 13 lc rgb '#ad494a'
set linetype 14 lc rgb '#637939'
set linetype 15 lc rgb '#c7c7c7'
set linetype 16 lc rgb '#252525'
plot 'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 2:xtic(1) title 'G 0 linear', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 3 title 'G 3 linear', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 4 title 'G 6 upconv', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 5 title 'G 9 upconv', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 6 title 'trunk 0 conv', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 7 title 'trunk 2 conv', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 8 title 'trunk 5 linear', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 9 title 'D head 0 linear', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 10 title 'Q head 0 linear', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 11 title 'rest of the layers', \
     'results/bench/faces-layers-intelr-xeonr-f6m167.dat' using 12 title 'outside the layers'
