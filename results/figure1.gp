# commit: 430118bb81bba342014ab7ffe2bc1107e8c5261c
# command: build/bin/mi_curve --out results --iterations 1000 --plot-only
# seed: 1
# isa: avx512
# threads: 2
# start: 2026-12-05T09:09:40Z
# wall_s: 0.0
# summary: InfoGAN L_I 1.865 at iteration 100, 2.276 mean over the last 100; GAN 0.088 mean over the last 100 (peak 0.789 at 91); InfoGAN with Q at lr 0.001: 2.258 at 100, 2.289 over the last 100; H(c) 2.303
# Render: gnuplot results/figure1.gp  (writes results/figure1.png; -e "outfile='x.png'" to change)
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
  set terminal pngcairo size 800,500 noenhanced font 'sans,11'
} else {
  set terminal png size 800,500 noenhanced
}
if (!exists('outfile')) outfile = 'results/figure1.png'
set output outfile
set datafile missing 'NaN'
set grid
set key right center box opaque
set title 'Figure 1: L_I on MNIST, c ~ Cat(10)'
set xlabel 'iteration'
set ylabel 'L_I (nats)'
plot 'results/figure1.dat' using 1:2 with lines lw 2 title 'InfoGAN (official: Q at D''s lr 2e-4)', \
     'results/figure1.dat' using 1:3 with lines lw 2 title 'GAN (Q trained, no reward for G)', \
     'results/figure1.dat' using 1:4 with lines lw 2 title 'InfoGAN, Q''s head at lr 1e-3', \
     2.30258509 with lines dt 2 lw 2 lc rgb 'black' title 'H(c) = ln 10'
