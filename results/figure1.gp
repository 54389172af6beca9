# commit: 64e260f95ee0bd0dc9d5f1117d427f27a4bebdcc
# command: build-engine/bin/mi_curve --out results --iterations 1000 --plot-only
# seed: 1
# isa: avx512
# threads: 1
# start: 2026-11-23T09:45:06Z
# wall_s: 0.0
# summary: InfoGAN L_I 1.869 at iteration 100, 2.274 mean over the last 100; GAN 0.134 mean over the last 100 (peak 0.802 at 106); H(c) 2.303
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
plot 'results/figure1.dat' using 1:2 with lines lw 2 title 'InfoGAN', \
     'results/figure1.dat' using 1:3 with lines lw 2 title 'GAN (Q trained, no reward for G)', \
     2.30258509 with lines dt 2 lw 2 lc rgb 'black' title 'H(c) = ln 10'
