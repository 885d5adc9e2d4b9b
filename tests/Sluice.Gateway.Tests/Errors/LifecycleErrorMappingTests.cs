using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Sluice.Core;
using Sluice.Gateway.Errors;
using Sluice.Gateway.Kinesis;

namespace Sluice.Gateway.Tests.Errors;

public sealed class LifecycleErrorMappingTests
{
    [Fact]
    public void Records_of_a_stream_that_is_not_ACTIVE_are_a_missing_stream_to_Kinesis_and_a_conflict_elsewhere()
    {
        var error = new SluiceException(SluiceErrorCode.StreamNotActive, "Stream s is CREATING, not ACTIVE.");

        var kinesis = KinesisException.From(error);

        Assert.Equal(KinesisException.ResourceNotFound, kinesis.Type);
        Assert.Equal(StatusCodes.Status400BadRequest, kinesis.StatusCode);
        Assert.Equal(error.Message, kinesis.Message);
        Assert.Equal(StatusCodes.Status409Conflict, SluiceExceptionHandler.StatusFor(SluiceErrorCode.StreamNotActive));
        Assert.Equal(StatusCode.FailedPrecondition, GrpcErrorInterceptor.StatusFor(SluiceErrorCode.StreamNotActive));
    }

    [Fact]
    public void A_stream_busy_with_a_transition_is_in_use_on_every_face()
    {
        var kinesis = KinesisException.From(new SluiceException(SluiceErrorCode.ResourceInUse, "in use"));

        Assert.Equal(KinesisException.ResourceInUse, kinesis.Type);
        Assert.Equal(StatusCodes.Status409Conflict, SluiceExceptionHandler.StatusFor(SluiceErrorCode.ResourceInUse));
        Assert.Equal(StatusCode.FailedPrecondition, GrpcErrorInterceptor.StatusFor(SluiceErrorCode.ResourceInUse));
    }
}
