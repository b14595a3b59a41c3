using DataPipe.Core.Errors;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace DataPipe.Train.Scaling;

/// <summary>
/// Fits the compute scaling law of the GPT-4 technical report (OpenAI 2023, section 3.1),
/// L(C) = a·C^b + c: a power law in compute plus an irreducible loss, by Levenberg–Marquardt least squares
/// (MathNet.Numerics) with the parameters' covariance, so a prediction comes with its standard error
/// (delta method). Compute is scaled by <see cref="Scale"/> (the geometric mean of the fitted points) so the
/// parameters stay well conditioned: internally L = a·(C/Scale)^b + c.
/// </summary>
public sealed record PowerLawFit(double A, double B, double C, double Scale, double[,] Covariance, double ResidualRms)
{
    public double StandardErrorA => Math.Sqrt(Math.Max(0, Covariance[0, 0]));
    public double StandardErrorB => Math.Sqrt(Math.Max(0, Covariance[1, 1]));
    public double StandardErrorC => Math.Sqrt(Math.Max(0, Covariance[2, 2]));

    /// <summary>a in the unscaled law L = a·C^b + c.</summary>
    public double UnscaledA => A * Math.Pow(Scale, -B);

    public double Predict(double compute) => A * Math.Pow(compute / Scale, B) + C;

    /// <summary>Standard error of <see cref="Predict"/> from the parameters' covariance (first-order delta method).</summary>
    public double PredictionStandardError(double compute)
    {
        double x = compute / Scale;
        double xb = Math.Pow(x, B);
        double[] g = [xb, A * xb * Math.Log(x), 1.0];
        double v = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                v += g[i] * Covariance[i, j] * g[j];
        return Math.Sqrt(Math.Max(0, v));
    }

    /// <summary>
    /// Residual bootstrap of the prediction at <paramref name="target"/> (Efron &amp; Tibshirani 1993, ch. 9): the fitted
    /// curve plus residuals drawn with replacement gives a new set of losses at the same compute; each is refitted and
    /// predicts the target. With five points the delta method's linearisation can be far off where the offset c sits on
    /// a bound; the spread of refitted predictions does not lean on it. Draws whose refit fails are skipped and counted.
    /// </summary>
    public static PredictionBootstrap Bootstrap(IReadOnlyList<double> compute, IReadOnlyList<double> loss, double target, int draws = 400, int seed = 1)
    {
        var fit = Fit(compute, loss);
        var fitted = compute.Select(fit.Predict).ToArray();
        var residuals = loss.Select((l, i) => l - fitted[i]).ToArray();
        var random = new Random(seed);
        var predictions = new List<double>(draws);
        int failed = 0;
        for (int d = 0; d < draws; d++)
        {
            var resampled = fitted.Select(f => f + residuals[random.Next(residuals.Length)]).ToArray();
            try
            {
                predictions.Add(Fit(compute, resampled).Predict(target));
            }
            catch (DataPipeException)
            {
                failed++;
            }
        }
        if (predictions.Count == 0) throw new DataPipeException("scaling fit: no bootstrap refit converged");
        predictions.Sort();
        double Quantile(double q) => predictions[(int)Math.Clamp(Math.Round(q * (predictions.Count - 1)), 0, predictions.Count - 1)];
        double mean = predictions.Average();
        double sd = Math.Sqrt(predictions.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, predictions.Count - 1));
        return new PredictionBootstrap(predictions.Count, failed, sd, Quantile(0.05), Quantile(0.5), Quantile(0.95));
    }

    /// <summary>Fits the law to (compute, loss) points; needs at least four points with distinct compute.</summary>
    public static PowerLawFit Fit(IReadOnlyList<double> compute, IReadOnlyList<double> loss)
    {
        if (compute.Count != loss.Count) throw new ArgumentException("compute and loss differ in length");
        if (compute.Count < 4 || compute.Distinct().Count() < 4)
            throw new DataPipeException($"scaling fit: needs at least 4 points with distinct compute to fit 3 parameters (got {compute.Count})");
        if (compute.Any(c => !(c > 0)) || loss.Any(l => !double.IsFinite(l)))
            throw new DataPipeException("scaling fit: compute must be positive and losses finite");

        double scale = Math.Exp(compute.Average(Math.Log));
        var x = Vector<double>.Build.DenseOfEnumerable(compute.Select(c => c / scale));
        var y = Vector<double>.Build.DenseOfEnumerable(loss);

        static Vector<double> Model(Vector<double> p, Vector<double> xs) =>
            xs.Map(v => p[0] * Math.Pow(v, p[1]) + p[2]);

        static Matrix<double> Jacobian(Vector<double> p, Vector<double> xs)
        {
            var j = Matrix<double>.Build.Dense(xs.Count, 3);
            for (int i = 0; i < xs.Count; i++)
            {
                double xb = Math.Pow(xs[i], p[1]);
                j[i, 0] = xb;
                j[i, 1] = p[0] * xb * Math.Log(xs[i]);
                j[i, 2] = 1.0;
            }
            return j;
        }

        double minLoss = loss.Min();
        double maxLoss = loss.Max();
        var objective = ObjectiveFunction.NonlinearModel(Model, Jacobian, x, y);
        var solver = new LevenbergMarquardtMinimizer(maximumIterations: 10_000);
        // Several starting exponents: the least-squares surface of a power law plus offset has flat valleys.
        NonlinearMinimizationResult? best = null;
        double bestResidual = double.PositiveInfinity;
        foreach (double b0 in new[] { -0.05, -0.2, -0.5, -1.0 })
        {
            double c0 = Math.Max(0, minLoss - 0.5 * (maxLoss - minLoss));
            var start = Vector<double>.Build.DenseOfArray([Math.Max(1e-6, minLoss - c0), b0, c0]);
            var lower = Vector<double>.Build.DenseOfArray([1e-12, -5.0, 0.0]);
            var upper = Vector<double>.Build.DenseOfArray([1e6, -1e-6, minLoss]);
            NonlinearMinimizationResult result;
            try
            {
                result = solver.FindMinimum(objective, start, lower, upper);
            }
            catch (Exception e) when (e is MaximumIterationsException or ArithmeticException)
            {
                continue;
            }
            var p = result.MinimizingPoint;
            double residual = (Model(p, x) - y).L2Norm();
            if (residual < bestResidual)
            {
                bestResidual = residual;
                best = result;
            }
        }
        if (best is null) throw new DataPipeException("scaling fit: Levenberg–Marquardt did not converge from any starting point");

        var q = best.MinimizingPoint;
        var cov = new double[3, 3];
        if (best.Covariance is { } covariance)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    cov[i, j] = covariance[i, j];
        return new PowerLawFit(q[0], q[1], q[2], scale, cov, bestResidual / Math.Sqrt(compute.Count));
    }
}

/// <summary>Spread of the bootstrap's refitted predictions: standard deviation and the 5th, 50th and 95th percentiles.</summary>
public sealed record PredictionBootstrap(int Draws, int Failed, double StandardDeviation, double Low, double Median, double High);
