namespace DataPipe.Train;

/// <summary>
/// Linear warmup to the peak rate, then cosine decay to the minimum at the last step (GPT-3 paper, appendix B; nanoGPT).
/// A pure function of the step, so a resumed run needs no scheduler state beyond the step itself.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>The rate for optimizer step <paramref name="step"/> (0-based) of <see cref="TrainConfig.Steps"/>.</summary>
    public static double At(int step, TrainConfig c)
    {
        if (step < c.WarmupSteps) return c.Lr * (step + 1) / c.WarmupSteps;
        int decaySteps = c.Steps - c.WarmupSteps;
        if (decaySteps <= 1) return c.Lr;
        double progress = Math.Clamp((double)(step - c.WarmupSteps) / (decaySteps - 1), 0.0, 1.0);
        return c.MinLr + 0.5 * (1.0 + Math.Cos(Math.PI * progress)) * (c.Lr - c.MinLr);
    }
}
