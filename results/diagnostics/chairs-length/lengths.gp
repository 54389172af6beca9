# commit: b93c0dc38f49c09ae6ba16297da6cb109ef20fb5-dirty
# command: build-dev/bin/table2 --lengths --out results/diagnostics/chairs-length /work/runs/chairs-length/chairs-rotation-length-seed1
# seed: 0
# isa: avx512
# threads: 2
# start: 2026-12-06T18:34:16Z
# wall_s: 0.0
# runs: each point's own provenance is in its folder's result.csv
# Render: gnuplot results/diagnostics/chairs-length/lengths.gp  (writes results/diagnostics/chairs-length/lengths.png; -e "outfile='x.png'" to change)
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
  set terminal pngcairo size 800,500 noenhanced font 'sans,11'
} else {
  set terminal png size 800,500 noenhanced
}
if (!exists('outfile')) outfile = 'results/diagnostics/chairs-length/lengths.png'
set output outfile
set datafile missing 'NaN'
set grid
set key outside right box opaque
set title 'Normalized MI of each factor''s best code against the run''s length'
set xlabel 'iteration'
set ylabel 'normalized MI'
plot 'results/diagnostics/chairs-length/lengths.dat' using 1:2 with lines lw 2 title 'type', \
     'results/diagnostics/chairs-length/lengths.dat' using 1:3 with lines lw 2 title 'width', \
     'results/diagnostics/chairs-length/lengths.dat' using 1:4 with lines lw 2 title 'azimuth', \
     'results/diagnostics/chairs-length/lengths.dat' using 1:5 with lines lw 2 title 'elevation'
