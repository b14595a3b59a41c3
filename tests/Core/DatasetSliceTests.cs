using DataPipe.Core.Datasets;

namespace DataPipe.Tests.Core;

public class DatasetSliceTests
{
    private static readonly SliceUnit[] Units =
    [
        new("a", 0, 100), new("a", 1, 100), new("a", 2, 5), new("b", 0, 0), new("b", 1, 300), new("c", 0, 50),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(20)]
    public void Slices_of_all_tasks_cover_every_row_group_once_in_dataset_order(int tasks)
    {
        var all = Enumerable.Range(0, tasks).SelectMany(t => DatasetSlice.For(Units, t, tasks).Units).ToList();
        Assert.Equal(Units, all);
    }

    [Fact]
    public void Slices_are_balanced_by_rows_not_by_row_groups()
    {
        var s0 = DatasetSlice.For(Units, 0, 2);
        var s1 = DatasetSlice.For(Units, 1, 2);
        Assert.Equal(205, s0.Rows);
        Assert.Equal(350, s1.Rows);
    }

    [Fact]
    public void Empty_datasets_still_give_every_unit_an_owner()
    {
        SliceUnit[] empty = [new("a", 0, 0), new("b", 0, 0), new("c", 0, 0)];
        var all = Enumerable.Range(0, 2).SelectMany(t => DatasetSlice.For(empty, t, 2).Units).ToList();
        Assert.Equal(empty, all);
    }
}
